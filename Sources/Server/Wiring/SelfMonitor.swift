import Dispatch
import Foundation
import TSDB

#if canImport(Glibc)
import Glibc
#endif

/// Records Vigil's own process and storage figures as series, so a fresh `vigil run` has data
/// (until the scraper reads them from `/metrics`).
final class SelfMonitor: Sendable {
    let db: TSDB

    init(db: TSDB) { self.db = db }

    func record() throws {
        let t = wallClockMilliseconds()
        let s = db.stats
        let job = ("job", "vigil"), inst = ("instance", "localhost")
        var samples: [(Labels, Int64, Double)] = []
        func add(_ name: String, _ v: Double) throws {
            samples.append((try Labels([("__name__", name), job, inst]), t, v))
        }
        try add("up", 1)
        try add("process_resident_memory_bytes", Double(residentBytes()))
        try add("process_cpu_seconds_total", cpuSeconds())
        try add("vigil_tsdb_head_series", Double(s.activeSeries))
        try add("vigil_tsdb_head_samples_appended_total", Double(s.samplesAppended))
        try add("vigil_tsdb_checkpoints_total", Double(s.checkpoints))
        try add("vigil_tsdb_database_bytes", Double(s.databaseBytes + s.sqliteWALBytes))
        try db.append(samples)
    }
}

func wallClockMilliseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

/// Resident set size from /proc/self/statm (pages × page size).
func residentBytes() -> Int64 {
    guard let f = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(f) }
    var size = 0, resident = 0
    withUnsafeMutablePointer(to: &size) { sp in
        withUnsafeMutablePointer(to: &resident) { rp in
            _ = withVaList([sp, rp]) { vfscanf(f, "%ld %ld", $0) }
        }
    }
    return Int64(resident) * Int64(sysconf(Int32(_SC_PAGESIZE)))
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}
