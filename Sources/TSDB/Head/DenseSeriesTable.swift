import CVigilMemory
#if canImport(Glibc)
import Glibc
#endif

/// The head's series by ref. Refs are handed out in sequence, so a two-level table (a
/// directory of pages of 4096 entries, a page allocated when the first of its refs is set)
/// finds a series with two dependent loads, and the consecutive refs of one target share
/// cache lines: an append of a whole scrape touches a few table lines instead of one hash
/// slot per sample in 4096 separate maps.
///
/// Synchronisation is the caller's: an entry is written and read under its ref's stripe
/// lock (`HeadStripes`). Pages appear under `pageLock` and are published with release
/// stores, so a reader that finds a page sees it initialised; entries are stored with
/// release too, which lets `prefetch` read one outside the lock (it only hints the cache,
/// so a stale pointer is harmless). The directory is reserved whole but zero-filled by the
/// kernel on first touch: 2^34 refs cost resident memory only for the pages in use.
/// Removed series leave an empty entry (8 bytes); a page is kept while the table lives.
final class DenseSeriesTable: @unchecked Sendable {
    static let pageBits = 12
    static let pageSize = 1 << pageBits
    static let pageCount = 1 << 22

    private let directory: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    private let pageLock = Lock()
    /// Pages `0..<pagesUsed` may exist (under `pageLock`).
    private var pagesUsed = 0

    init() {
        guard let d = calloc(Self.pageCount, MemoryLayout<UnsafeMutableRawPointer?>.stride) else {
            preconditionFailure("DenseSeriesTable: cannot reserve the page directory")
        }
        directory = d.bindMemory(to: UnsafeMutableRawPointer?.self, capacity: Self.pageCount)
    }

    deinit {
        for p in 0..<pagesUsed {
            guard let page = directory[p] else { continue }
            let entries = page.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
            for i in 0..<Self.pageSize {
                if let e = entries[i] { Unmanaged<MemSeries>.fromOpaque(e).release() }
            }
            free(page)
        }
        free(directory)
    }

    @inline(__always)
    private func entry(_ ref: SeriesRef) -> UnsafeMutablePointer<UnsafeMutableRawPointer?>? {
        let raw = ref.raw
        let p = Int(truncatingIfNeeded: raw >> UInt64(Self.pageBits))
        guard p < Self.pageCount, let page = vigil_load_acquire(UnsafePointer(directory + p)) else { return nil }
        return page.assumingMemoryBound(to: UnsafeMutableRawPointer?.self) + Int(truncatingIfNeeded: raw & UInt64(Self.pageSize - 1))
    }

    /// The series with `ref`, or nil; the caller holds the ref's stripe lock.
    @inline(__always)
    subscript(ref: SeriesRef) -> MemSeries? {
        guard let e = entry(ref), let obj = e.pointee else { return nil }
        return Unmanaged<MemSeries>.fromOpaque(obj).takeUnretainedValue()
    }

    /// Sets or clears (nil) the entry for `ref`; the caller holds the ref's stripe lock.
    func set(_ ref: SeriesRef, _ series: MemSeries?) {
        if entry(ref) == nil {
            guard series != nil else { return }
            let p = Int(truncatingIfNeeded: ref.raw >> UInt64(Self.pageBits))
            precondition(p < Self.pageCount, "series ref \(ref.raw) beyond the head's table (2^34 series created)")
            pageLock.withLock {
                if directory[p] == nil {
                    guard let page = calloc(Self.pageSize, MemoryLayout<UnsafeMutableRawPointer?>.stride) else {
                        preconditionFailure("DenseSeriesTable: out of memory for a page")
                    }
                    vigil_store_release(directory + p, page)
                    pagesUsed = max(pagesUsed, p + 1)
                }
            }
        }
        let e = entry(ref)!
        let old = e.pointee
        let new = series.map { Unmanaged.passRetained($0).toOpaque() }
        vigil_store_release(e, new)
        if let old { Unmanaged<MemSeries>.fromOpaque(old).release() }
    }

    /// Hints the cache to fetch `ref`'s series object (and its table line), outside any
    /// lock: a concurrent removal makes the hint useless, never unsafe.
    @inline(__always)
    func prefetch(_ ref: SeriesRef) {
        guard let e = entry(ref), let obj = vigil_load_relaxed(UnsafePointer(e)) else { return }
        vigil_prefetch(obj)
    }

    /// Hints the cache to fetch the table line holding `ref`'s entry (a prefetch further
    /// ahead than `prefetch`, whose own load of the entry then hits).
    @inline(__always)
    func prefetchEntry(_ ref: SeriesRef) {
        if let e = entry(ref) { vigil_prefetch(e) }
    }

    /// Every ref with a series, page by page (refs ascending), for a caller that locks
    /// each entry's stripe itself.
    func forEachRef(_ body: (SeriesRef) throws -> Void) rethrows {
        let used = pageLock.withLock { pagesUsed }
        for p in 0..<used {
            guard let page = vigil_load_acquire(UnsafePointer(directory + p)) else { continue }
            let entries = page.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
            for i in 0..<Self.pageSize where vigil_load_relaxed(UnsafePointer(entries + i)) != nil {
                try body(SeriesRef(UInt64(p) << UInt64(Self.pageBits) | UInt64(i)))
            }
        }
    }
}
