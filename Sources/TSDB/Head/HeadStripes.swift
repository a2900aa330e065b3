/// The head's series, spread over striped locks so appenders and readers of different
/// series rarely meet on the same lock. Series are found by ref (`refStripes`) and by label
/// hash (`hashStripes`); the two are separate arrays so a creator can hold a hash stripe and
/// then a ref stripe without ever deadlocking on one lock (order: hash, then ref).
final class HeadStripes: @unchecked Sendable {
    static let stripeCount = 1 << 12
    static let mask = UInt64(stripeCount - 1)

    final class RefStripe: @unchecked Sendable {
        let lock = Lock()
        @exclusivity(unchecked) var byRef = SeriesMap()
    }

    final class HashStripe: @unchecked Sendable {
        let lock = Lock()
        /// label hash → series with that hash (almost always exactly one).
        @exclusivity(unchecked) var byHash: [Int: [MemSeries]] = [:]
    }

    let stripes: [RefStripe] = (0..<HeadStripes.stripeCount).map { _ in RefStripe() }
    let hashStripes: [HashStripe] = (0..<HeadStripes.stripeCount).map { _ in HashStripe() }

    @inline(__always)
    func stripe(for ref: SeriesRef) -> RefStripe { stripes[Int(ref.raw & HeadStripes.mask)] }

    @inline(__always)
    func stripe(forHash h: Int) -> HashStripe { hashStripes[Int(UInt64(bitPattern: Int64(h)) & HeadStripes.mask)] }

    /// Runs `body` on the series under its stripe lock (nil when unknown).
    @inline(__always)
    func withSeries<T>(_ ref: SeriesRef, _ body: (MemSeries?) throws -> T) rethrows -> T {
        let s = stripe(for: ref)
        s.lock.lock()
        defer { s.lock.unlock() }
        return try body(s.byRef[ref])
    }

    /// The end of the aligned chunk range containing `t`.
    @inline(__always)
    static func rangeEnd(_ t: Int64, _ range: Int64) -> Int64 {
        let q = t >= 0 ? t / range : (t - range + 1) / range
        let (end, overflow) = (q &* range).addingReportingOverflow(range)
        return overflow ? .max : end
    }

    /// Calls `body` on every series, one stripe lock at a time.
    func forEachSeries(_ body: (MemSeries) throws -> Void) rethrows {
        for s in stripes {
            s.lock.lock()
            defer { s.lock.unlock() }
            for series in s.byRef.all { try body(series) }
        }
    }
}
