#if canImport(Glibc)
import Glibc
#endif

/// The head's series, spread over striped locks so appenders and readers of different
/// series rarely meet on the same lock. Series are found by ref (`refStripes`) and by label
/// hash (`hashStripes`); the two are separate arrays so a creator can hold a hash stripe and
/// then a ref stripe without ever deadlocking on one lock (order: hash, then ref).
final class HeadStripes: @unchecked Sendable {
    static let stripeCount = 1 << 12
    static let mask = UInt64(stripeCount - 1)

    final class HashStripe: @unchecked Sendable {
        let lock = Lock()
        /// label hash → series with that hash (almost always exactly one).
        @exclusivity(unchecked) var byHash: [Int: [MemSeries]] = [:]
    }

    /// The ref stripes' locks in one contiguous array (no stripe object to retain, no
    /// pointer to chase to a separately allocated mutex); each guards the table entries of
    /// the refs that map to it.
    private let refLocks: UnsafeMutablePointer<pthread_mutex_t>
    let table = DenseSeriesTable()
    let hashStripes: [HashStripe] = (0..<HeadStripes.stripeCount).map { _ in HashStripe() }

    init() {
        refLocks = .allocate(capacity: HeadStripes.stripeCount)
        for i in 0..<HeadStripes.stripeCount { pthread_mutex_init(refLocks + i, nil) }
    }

    deinit {
        for i in 0..<HeadStripes.stripeCount { pthread_mutex_destroy(refLocks + i) }
        refLocks.deallocate()
    }

    @inline(__always)
    static func stripeIndex(_ ref: SeriesRef) -> Int { Int(truncatingIfNeeded: ref.raw & mask) }

    @inline(__always) func lockStripe(_ i: Int) { pthread_mutex_lock(refLocks + i) }
    @inline(__always) func unlockStripe(_ i: Int) { pthread_mutex_unlock(refLocks + i) }

    /// The series with `ref` in stripe `i`; the caller holds that stripe's lock.
    @inline(__always)
    func seriesLocked(_ ref: SeriesRef, stripe i: Int) -> MemSeries? { table[ref] }

    /// Adds or removes (nil) a series under its ref stripe's lock.
    func setSeries(_ ref: SeriesRef, _ series: MemSeries?) {
        let i = HeadStripes.stripeIndex(ref)
        lockStripe(i)
        table.set(ref, series)
        unlockStripe(i)
    }

    @inline(__always)
    func stripe(forHash h: Int) -> HashStripe { hashStripes[Int(UInt64(bitPattern: Int64(h)) & HeadStripes.mask)] }

    /// Runs `body` on the series under its stripe lock (nil when unknown).
    @inline(__always)
    func withSeries<T>(_ ref: SeriesRef, _ body: (MemSeries?) throws -> T) rethrows -> T {
        let i = HeadStripes.stripeIndex(ref)
        lockStripe(i)
        defer { unlockStripe(i) }
        return try body(table[ref])
    }

    /// The end of the aligned chunk range containing `t`.
    @inline(__always)
    static func rangeEnd(_ t: Int64, _ range: Int64) -> Int64 {
        let q = t >= 0 ? t / range : (t - range + 1) / range
        let (end, overflow) = (q &* range).addingReportingOverflow(range)
        return overflow ? .max : end
    }

    /// Calls `body` on every series, under its stripe's lock.
    func forEachSeries(_ body: (MemSeries) throws -> Void) rethrows {
        try table.forEachRef { ref in
            let i = HeadStripes.stripeIndex(ref)
            lockStripe(i)
            defer { unlockStripe(i) }
            if let s = table[ref] { try body(s) }
        }
    }
}
