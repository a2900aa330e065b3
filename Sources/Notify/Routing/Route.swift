/// The routing tree with every node's effective options (inherited from its parent as
/// Alertmanager's `NewRoute` does): the matchers, grouping and timers an alert gets.
public final class Route: Sendable {
    public struct Options: Sendable, Equatable {
        public var receiver: String
        public var groupBy: [String]
        public var groupByAll: Bool
        public var groupWait: ModelDuration
        public var groupInterval: ModelDuration
        public var repeatInterval: ModelDuration
        public var muteTimeIntervals: [String]
        public var activeTimeIntervals: [String]
    }

    public let options: Options
    public let matchers: [Matcher]
    public let `continue`: Bool
    public let routes: [Route]
    /// `Route.Key()`: the parent's key, `/`, this node's matchers — names aggregation groups.
    public let key: String
    /// `Route.ID()`: the key plus the sibling index, unique per node.
    public let id: String
    /// Where the node was written (line, column), for warnings.
    public let position: (line: Int, column: Int)

    /// Alertmanager's DefaultRouteOpts.
    static let defaults = Options(
        receiver: "", groupBy: [], groupByAll: false, groupWait: .seconds(30), groupInterval: .minutes(5),
        repeatInterval: .hours(4), muteTimeIntervals: [], activeTimeIntervals: [])

    public convenience init(_ config: RouteConfig) { self.init(config, parent: nil, index: 0) }

    /// What a child inherits: built bottom-up, so children get their parent's values, not a reference.
    typealias Parent = (options: Options, key: String, id: String)

    init(_ c: RouteConfig, parent: Parent?, index: Int) {
        var o = parent?.options ?? Route.defaults
        if !c.receiver.isEmpty { o.receiver = c.receiver }
        if let gb = c.groupBy, c.groupByAll || !gb.isEmpty {
            // `group_by: []` leaves Go's GroupBy nil: the parent's grouping is inherited.
            o.groupBy = gb.sorted(by: GoString.less)
            o.groupByAll = c.groupByAll
        }
        if let v = c.groupWait { o.groupWait = v }
        if let v = c.groupInterval { o.groupInterval = v }
        if let v = c.repeatInterval { o.repeatInterval = v }
        o.muteTimeIntervals = c.muteTimeIntervals
        o.activeTimeIntervals = c.activeTimeIntervals
        var ms: [Matcher] = []
        // match and match_re become matchers; building them cannot fail here, the loader
        // already compiled them.
        for (k, v) in c.match { if let m = try? Matcher(.equal, k, v) { ms.append(m) } }
        for (k, v) in c.matchRE { if let m = try? Matcher(.regexp, k, v) { ms.append(m) } }
        ms += c.matchers
        ms.sort(by: Matcher.sortedOrder)
        let key = (parent.map { $0.key + "/" } ?? "") + ms.matchersString
        let id = (parent.map { $0.id + "/" } ?? "") + ms.matchersString + (parent == nil ? "" : String(index))
        options = o
        matchers = ms
        self.continue = c.continue
        position = (c.line, c.column)
        self.key = key
        self.id = id
        routes = c.routes.enumerated().map { Route($0.element, parent: (o, key, id), index: $0.offset) }
    }

    /// Alertmanager's `Route.Match`: the deepest matching nodes, depth first, stopping at the
    /// first matching child unless it has `continue`; the node itself when no child matches.
    public func match(_ labels: [String: String]) -> [Route] {
        guard matchers.matches(labels) else { return [] }
        var all: [Route] = []
        for child in routes {
            let m = child.match(labels)
            all += m
            if !m.isEmpty && !child.continue { break }
        }
        if all.isEmpty { all.append(self) }
        return all
    }

    /// Every node, depth first.
    public func walk(_ visit: (Route) -> Void) {
        visit(self)
        for c in routes { c.walk(visit) }
    }

    /// The labels an alert is grouped by on this route.
    public func groupLabels(_ labels: [String: String]) -> [String: String] {
        if options.groupByAll { return labels }
        var out: [String: String] = [:]
        for name in options.groupBy { if let v = labels[name] { out[name] = v } }
        return out
    }
}
