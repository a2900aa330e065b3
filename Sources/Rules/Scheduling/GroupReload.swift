import TSDB

extension Rule {
    /// What identifies a rule across a reload, as Prometheus's `nameAndLabels`.
    var reloadIdentity: String {
        switch self {
        case .recording(let r): return "r|" + r.name + "|" + r.labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
        case .alerting(let a): return "a|" + a.name + "|" + a.labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
        }
    }

    /// Everything that decides what the rule does.
    var definition: String {
        switch self {
        case .recording(let r): return reloadIdentity + "|" + r.query
        case .alerting(let a):
            return reloadIdentity + "|" + a.query + "|\(a.holdDuration)|\(a.keepFiringFor)|"
                + a.annotations.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
        }
    }
}

extension RuleGroup {
    /// Whether a reloaded group is the same as this one, so it can keep running untouched.
    func isEquivalent(to other: RuleGroup) -> Bool {
        name == other.name && file == other.file && interval == other.interval && limit == other.limit
            && rules.map(\.definition) == other.rules.map(\.definition)
    }

    /// Prometheus's `CopyState`: rules matched by name and labels (in order, for duplicates)
    /// take over the series they wrote and their alerts; what unmatched old rules wrote is
    /// marked stale at `ts`.
    func takeState(from old: RuleGroup, at ts: Int64, storage: any RuleStorage) {
        let oldSeries = old.state.withLock { $0.seriesInPreviousEval }
        var byIdentity: [String: [Int]] = [:]
        for (i, r) in old.rules.enumerated() { byIdentity[r.reloadIdentity, default: []].append(i) }
        var taken = Set<Int>()
        state.withLock { st in
            st.lastEvaluation = old.lastEvaluation
            st.evaluationSeconds = old.evaluationSeconds
        }
        for (i, r) in rules.enumerated() {
            guard var list = byIdentity[r.reloadIdentity], !list.isEmpty else { continue }
            let fi = list.removeFirst()
            byIdentity[r.reloadIdentity] = list
            taken.insert(fi)
            state.withLock { $0.seriesInPreviousEval[i] = oldSeries[fi] }
            if case .alerting(let a) = r, case .alerting(let fa) = old.rules[fi] {
                let alerts = fa.state.withLock { $0 }
                a.state.withLock { $0 = alerts }
            }
        }
        var stale: [(Labels, Int64, Double)] = []
        for (fi, series) in oldSeries.enumerated() where !taken.contains(fi) {
            for l in series { stale.append((l, ts, StaleMarker.value)) }
        }
        if !stale.isEmpty { _ = try? storage.appendRuleOutput(stale) }
    }
}
