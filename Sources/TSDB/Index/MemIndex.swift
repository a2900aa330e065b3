/// Interned strings and the inverted index (label pair → postings) of the head.
///
/// Every label string is stored once and referred to by a 32-bit symbol id, so a series'
/// labels cost 8 bytes a pair. One reader-writer lock guards it: series creation writes,
/// queries read.
final class MemIndex: @unchecked Sendable {
    private let lock = RWLock()
    private var symbols: ContiguousArray<String> = []
    private var symbolIDs: [ByteString: UInt32] = [:]
    /// name symbol → value symbol → sorted refs.
    private var postings: [UInt32: [UInt32: [SeriesRef]]] = [:]
    private var allRefs: [SeriesRef] = []
    /// Symbols created since they were last taken for persistence.
    private var newSymbols: [(UInt32, String)] = []

    var seriesCount: Int { lock.withReadLock { allRefs.count } }
    /// The series count for a caller already inside `withWriteLock`.
    var seriesCountLocked: Int { allRefs.count }
    var symbolCount: Int { lock.withReadLock { symbols.count } }

    // MARK: Writing

    /// Interns every string of `labels`: its name/value symbol pairs.
    func intern(_ labels: Labels) -> [UInt32] {
        lock.withWriteLock {
            var syms: [UInt32] = []
            syms.reserveCapacity(labels.count * 2)
            for l in labels {
                syms.append(intern(l.name))
                syms.append(intern(l.value))
            }
            return syms
        }
    }

    /// Runs `body` with the write lock held, for callers that allocate a ref and index it atomically.
    func withWriteLock<T>(_ body: () throws -> T) rethrows -> T {
        try lock.withWriteLock(body)
    }

    /// Indexes `ref` under each of its symbol pairs. `ref` must exceed every indexed ref
    /// (callers assign refs inside `withWriteLock`), so postings stay sorted by appending.
    func addPostingsLocked(ref: SeriesRef, symbols syms: [UInt32]) {
        for k in stride(from: 0, to: syms.count, by: 2) {
            postings[syms[k], default: [:]][syms[k + 1], default: []].append(ref)
        }
        allRefs.append(ref)
    }

    /// Indexes a recovered series whose labels are already symbol ids.
    func addRecovered(ref: SeriesRef, symbols syms: [UInt32]) {
        lock.withWriteLock {
            for k in stride(from: 0, to: syms.count, by: 2) {
                postings[syms[k], default: [:]][syms[k + 1], default: []].append(ref)
            }
            allRefs.append(ref)
        }
    }

    /// Restores a persisted symbol (recovery); ids must arrive in increasing order from 0.
    func restoreSymbol(id: UInt32, _ s: String) {
        lock.withWriteLock {
            while symbols.count < Int(id) { symbols.append("") }
            symbols.append(s)
            if symbolIDs[ByteString(s)] == nil { symbolIDs[ByteString(s)] = id }
        }
    }

    /// Whether every id names a restored symbol (a damaged series row may not).
    func symbolsAreKnown(_ syms: [UInt32]) -> Bool {
        lock.withReadLock { syms.allSatisfy { Int($0) < symbols.count } }
    }

    private func intern(_ s: String) -> UInt32 {
        let key = ByteString(s)
        if let id = symbolIDs[key] { return id }
        let id = UInt32(symbols.count)
        symbols.append(s)
        symbolIDs[key] = id
        newSymbols.append((id, s))
        return id
    }

    /// The symbols created since the last call, for persisting with the next commit.
    func takeNewSymbols() -> [(UInt32, String)] {
        lock.withWriteLock {
            let s = newSymbols
            newSymbols.removeAll()
            return s
        }
    }

    /// Returns symbols taken by a commit that then failed, so the next commit persists them.
    func requeueSymbols(_ syms: [(UInt32, String)]) {
        guard !syms.isEmpty else { return }
        lock.withWriteLock { newSymbols.insert(contentsOf: syms, at: 0) }
    }

    /// Removes series from the index (retention); `labelsOf` gives each one's symbol pairs.
    func remove(_ refs: [SeriesRef], symbolsOf: (SeriesRef) -> [UInt32]?) {
        guard !refs.isEmpty else { return }
        let sorted = refs.sorted()
        lock.withWriteLock {
            var touched: [UInt32: Set<UInt32>] = [:]
            for r in sorted {
                guard let syms = symbolsOf(r) else { continue }
                for k in stride(from: 0, to: syms.count, by: 2) { touched[syms[k], default: []].insert(syms[k + 1]) }
            }
            for (n, values) in touched {
                for v in values {
                    let kept = Postings.subtract(postings[n]?[v] ?? [], sorted)
                    postings[n]![v] = kept.isEmpty ? nil : kept
                }
                if postings[n]!.isEmpty { postings[n] = nil }
            }
            allRefs = Postings.subtract(allRefs, sorted)
        }
    }

    // MARK: Reading

    /// The order that sorts series (given as symbol lists) by their labels. Strings are compared
    /// once per distinct symbol, to rank them; series are then compared by ranks, integers in
    /// one contiguous buffer, with no string comparison and no reference counting.
    func labelSortOrder(_ sets: [[UInt32]]) -> [Int] {
        lock.withReadLock {
            var flatCount = 0
            for s in sets { flatCount += s.count }
            var seen = [Bool](repeating: false, count: symbols.count)
            var ids: [UInt32] = []
            for s in sets {
                for id in s where !seen[Int(id)] {
                    seen[Int(id)] = true
                    ids.append(id)
                }
            }
            ids.sort { symbols[Int($0)].utf8Precedes(symbols[Int($1)]) }
            var rank = [UInt32](repeating: 0, count: symbols.count)
            for (r, id) in ids.enumerated() { rank[Int(id)] = UInt32(r) }
            var flat: [UInt32] = []
            flat.reserveCapacity(flatCount)
            var offsets: [Int] = [0]
            offsets.reserveCapacity(sets.count + 1)
            for s in sets {
                for id in s { flat.append(rank[Int(id)]) }
                offsets.append(flat.count)
            }
            var order = Array(sets.indices)
            flat.withUnsafeBufferPointer { f in
                offsets.withUnsafeBufferPointer { o in
                    order.sort { a, b in
                        var i = o[a], j = o[b]
                        let ie = o[a + 1], je = o[b + 1]
                        while i < ie && j < je {
                            if f[i] != f[j] { return f[i] < f[j] }
                            i += 1
                            j += 1
                        }
                        return ie - o[a] < je - o[b]
                    }
                }
            }
            return order
        }
    }

    func labels(of syms: [UInt32]) -> Labels {
        lock.withReadLock { labelsLocked(syms) }
    }

    /// The labels of many series under one acquisition of the lock; with `only`, just the
    /// labels so named (compared as symbol ids). Then a series that agrees with the one before
    /// it on those labels (the usual case in label order: grouping labels sort early) gets the
    /// same `Labels` value, sharing its storage: nothing is built, and a consumer comparing it
    /// with the previous one finds them equal by identity.
    func labels<C: Collection>(ofAll sets: C, only: [String]? = nil) -> [Labels] where C.Element == [UInt32] {
        lock.withReadLock {
            guard let only else { return sets.map { labelsLocked($0) } }
            let wanted = only.compactMap { symbolIDs[ByteString($0)] }
            if wanted.isEmpty { return [Labels](repeating: .empty, count: sets.count) }
            var out: [Labels] = []
            out.reserveCapacity(sets.count)
            // The value id of each wanted name (UInt32.max: absent), this series and the last.
            var current = [UInt32](repeating: .max, count: wanted.count)
            var previous: [UInt32] = []
            for syms in sets {
                for w in current.indices { current[w] = .max }
                for k in stride(from: 0, to: syms.count, by: 2) {
                    if let w = wanted.firstIndex(of: syms[k]) { current[w] = syms[k + 1] }
                }
                if current == previous, let last = out.last {
                    out.append(last)
                    continue
                }
                var ls: [Label] = []
                for k in stride(from: 0, to: syms.count, by: 2) where wanted.contains(syms[k]) {
                    ls.append(Label(symbols[Int(syms[k])], symbols[Int(syms[k + 1])]))
                }
                out.append(Labels(sortedUnchecked: ls))
                swap(&current, &previous)
                if current.count != wanted.count { current = [UInt32](repeating: .max, count: wanted.count) }
            }
            return out
        }
    }

    private func labelsLocked(_ syms: [UInt32]) -> Labels {
        var ls: [Label] = []
        ls.reserveCapacity(syms.count / 2)
        for k in stride(from: 0, to: syms.count, by: 2) {
            ls.append(Label(symbols[Int(syms[k])], symbols[Int(syms[k + 1])]))
        }
        return Labels(sortedUnchecked: ls)
    }

    /// How many series carry the label pair `name="value"` (0 when either string is unknown).
    func postingsCount(name: String, value: String) -> Int {
        lock.withReadLock {
            guard let n = symbolIDs[ByteString(name)], let v = symbolIDs[ByteString(value)] else { return 0 }
            return postings[n]?[v]?.count ?? 0
        }
    }

    /// The symbol ids of `labels` if every string is known (nil means no such series exists).
    func symbolIDs(of labels: Labels) -> [UInt32]? {
        lock.withReadLock {
            var syms: [UInt32] = []
            syms.reserveCapacity(labels.count * 2)
            for l in labels {
                guard let n = symbolIDs[ByteString(l.name)], let v = symbolIDs[ByteString(l.value)] else { return nil }
                syms.append(n)
                syms.append(v)
            }
            return syms
        }
    }

    /// The refs of every series selected by `matchers`, sorted, with Prometheus semantics.
    func postings(for matchers: [Matcher]) -> [SeriesRef] {
        lock.withReadLock {
            var positive: [[SeriesRef]] = []
            var negative: [[SeriesRef]] = []
            for m in matchers {
                if m.matchesEmpty {
                    // Selects series lacking the label plus those whose value matches: i.e.
                    // everything except series whose value fails the matcher.
                    let failing = refsLocked(name: m.name, where: m.inverse)
                    if !failing.isEmpty { negative.append(failing) }
                } else {
                    let matching = refsLocked(name: m.name, where: m)
                    if matching.isEmpty { return [] }
                    positive.append(matching)
                }
            }
            var result = positive.isEmpty ? allRefs : Postings.intersect(positive)
            for n in negative where !result.isEmpty { result = Postings.subtract(result, n) }
            return result
        }
    }

    /// Union of the postings of every value of `name` that satisfies `m`.
    private func refsLocked(name: String, where m: Matcher) -> [SeriesRef] {
        guard let n = symbolIDs[ByteString(name)], let values = postings[n] else { return [] }
        switch m.kind {
        case .equal:
            guard let v = symbolIDs[ByteString(m.value)] else { return [] }
            return values[v] ?? []
        case .regexMatch:
            if let literals = m.regex?.literalAlternatives {
                var lists: [[SeriesRef]] = []
                for s in literals {
                    if let v = symbolIDs[ByteString(s)], let p = values[v] { lists.append(p) }
                }
                return Postings.union(lists)
            }
        case .notEqual, .regexNoMatch:
            break
        }
        var lists: [[SeriesRef]] = []
        for (v, refs) in values where m.matches(symbols[Int(v)]) { lists.append(refs) }
        return Postings.union(lists)
    }

    /// Label names that occur on at least one series in `refs` (all series when nil), sorted.
    /// Every label name in the index, sorted.
    func labelNames() -> [String] {
        lock.withReadLock { postings.keys.map { symbols[Int($0)] }.sorted { $0.utf8Precedes($1) } }
    }

    /// Values of label `name` on series in `refs` (all series when nil), sorted.
    func labelValues(_ name: String, refs: [SeriesRef]?) -> [String] {
        lock.withReadLock {
            guard let n = symbolIDs[ByteString(name)], let values = postings[n] else { return [] }
            guard let refs else { return values.keys.map { symbols[Int($0)] }.sorted { $0.utf8Precedes($1) } }
            var out: [String] = []
            for (v, p) in values where !Postings.intersect(p, refs).isEmpty { out.append(symbols[Int(v)]) }
            return out.sorted { $0.utf8Precedes($1) }
        }
    }
}
