import Dispatch
import Synchronization

/// Hands the pages freed by large queries back to the system once queries go quiet.
///
/// A query over many series decodes every selected sample into per-series arrays that are
/// all freed when it ends. glibc keeps such freed memory in its arenas (returning only the
/// top of the main heap), so a server's RSS would settle at the peak of its largest recent
/// query or rule round instead of what it holds. `malloc_trim(0)` releases every free page
/// of every arena (`madvise(MADV_DONTNEED)`), as Go's scavenger does for Prometheus.
///
/// It runs on a background queue once a second has passed since the last query that loaded
/// many samples: a burst of queries (a rule round, a dashboard refresh, a benchmark loop)
/// reuses its freed memory instead of faulting fresh pages in for every query, and never
/// waits on a trim holding the allocator's locks; the memory goes back when the burst ends.
enum MemoryRelease {
    /// Queries that loaded fewer samples than this leave too little behind to be worth it.
    static let minimumSamples = 200_000
    /// Quiet time after the last large query before trimming.
    static let quietNanoseconds: UInt64 = 1_000_000_000
    private static let scheduled = Atomic<Bool>(false)
    private static let lastLargeQuery = Atomic<UInt64>(0)

    static func afterQuery(samples: Int) {
        #if os(Linux)
        guard samples >= minimumSamples else { return }
        lastLargeQuery.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
        guard !scheduled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        schedule(after: quietNanoseconds)
        #endif
    }

    #if os(Linux)
    private static func schedule(after nanoseconds: UInt64) {
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) {
            let quiet = DispatchTime.now().uptimeNanoseconds &- lastLargeQuery.load(ordering: .relaxed)
            if quiet < quietNanoseconds {
                schedule(after: quietNanoseconds - quiet)
                return
            }
            scheduled.store(false, ordering: .releasing)
            _ = glibcMallocTrim(0)
        }
    }
    #endif
}

#if os(Linux)
/// glibc's `int malloc_trim(size_t pad)` (<malloc.h> is not part of the Glibc module).
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
