import Dispatch
import Synchronization

/// Hands the pages freed by large queries back to the system.
///
/// A query over many series decodes every selected sample into per-series arrays that are
/// all freed when it ends. glibc keeps such freed memory in its arenas (returning only the
/// top of the main heap), so a server's RSS would settle at the peak of its largest recent
/// query or rule round instead of what it holds. `malloc_trim(0)` releases every free page
/// of every arena (`madvise(MADV_DONTNEED)`), as Go's scavenger does for Prometheus.
///
/// It runs on a background queue one second after a query that loaded many samples, at most
/// once a second however many such queries end meanwhile: a burst of queries (a rule round,
/// a dashboard refresh) reuses its freed memory instead of faulting fresh pages in each time.
enum MemoryRelease {
    /// Queries that loaded fewer samples than this leave too little behind to be worth it.
    static let minimumSamples = 200_000
    private static let scheduled = Atomic<Bool>(false)

    static func afterQuery(samples: Int) {
        #if os(Linux)
        guard samples >= minimumSamples else { return }
        guard !scheduled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + 1) {
            scheduled.store(false, ordering: .releasing)
            _ = glibcMallocTrim(0)
        }
        #endif
    }
}

#if os(Linux)
/// glibc's `int malloc_trim(size_t pad)` (<malloc.h> is not part of the Glibc module).
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
