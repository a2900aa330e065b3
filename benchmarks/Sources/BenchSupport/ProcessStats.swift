import CBenchShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the process holds, read from /proc (Linux).
public enum ProcessStats {
    /// Resident set size in bytes (`/proc/self/statm`, second field, times the page size).
    public static func residentBytes() -> Int {
        guard let text = readFile("/proc/self/statm") else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Peak resident set size in bytes (`VmHWM` of /proc/self/status).
    public static func peakResidentBytes() -> Int {
        guard let text = readFile("/proc/self/status") else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) } ?? 0
            return kb * 1024
        }
        return 0
    }

    /// Returns freed heap memory to the OS so that RSS reflects live data only.
    public static func trimHeap() {
        #if canImport(Glibc)
        _ = malloc_trim(0)
        #endif
    }

    public static func readFile(_ path: String) -> String? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The machine, for result files: CPU count, CPU model and memory.
    public static func machineDescription() -> String {
        let cpus = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        var model = "unknown CPU"
        if let info = readFile("/proc/cpuinfo") {
            for line in info.split(separator: "\n") where line.hasPrefix("model name") {
                if let colon = line.firstIndex(of: ":") {
                    model = String(line[line.index(after: colon)...]).trimmingSpaces
                }
                break
            }
        }
        var mem = "?"
        if let info = readFile("/proc/meminfo") {
            for line in info.split(separator: "\n") where line.hasPrefix("MemTotal:") {
                let kb = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) } ?? 0
                mem = formatBytes(kb * 1024)
            }
        }
        return "\(cpus) CPUs (\(model)), \(mem) RAM"
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

/// Scratch directories under $TMPDIR (or /tmp), removed by `remove()`.
public struct ScratchDirectory: Sendable {
    public let path: String

    public init(prefix: String, base: String? = nil) {
        let root = base ?? (getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp")
        var template = Array("\(root)/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { p -> String? in
            guard let r = mkdtemp(p.baseAddress!) else { return nil }
            return String(cString: r)
        }
        guard let made else { fatalError("cannot create a scratch directory under \(root)") }
        path = made
    }

    /// Deletes the directory and the files directly in it (the database keeps no subfolders).
    public func remove() {
        if let d = opendir(path) {
            while let e = readdir(d) {
                let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                    String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
                }
                if name == "." || name == ".." { continue }
                unlink(path + "/" + name)
            }
            closedir(d)
        }
        rmdir(path)
    }

    /// Bytes of a file in the directory (0 when missing).
    public func size(of name: String) -> Int {
        var st = stat()
        return stat(path + "/" + name, &st) == 0 ? Int(st.st_size) : 0
    }
}

public func formatBytes(_ n: Int) -> String {
    let d = Double(n)
    let kib = 1024.0, mib = kib * 1024, gib = mib * 1024
    if abs(d) >= gib { return format(d / gib, 2) + " GiB" }
    if abs(d) >= mib { return format(d / mib, 1) + " MiB" }
    if abs(d) >= kib { return format(d / kib, 1) + " KiB" }
    return "\(n) B"
}

/// `x` with `decimals` digits after the point (no Foundation needed).
public func format(_ x: Double, _ decimals: Int) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    var p = 1.0
    for _ in 0..<decimals { p *= 10 }
    let r = (abs(x) * p).rounded()
    let whole = Int(r / p)
    var frac = String(Int(r - Double(whole) * p))
    while frac.count < decimals { frac = "0" + frac }
    let sign = x < 0 && r != 0 ? "-" : ""
    return decimals == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(frac)"
}

/// Large counts with thousands separators: 1234567 → "1,234,567".
public func grouped(_ n: Int) -> String {
    let s = String(abs(n))
    var out = ""
    for (k, c) in s.enumerated() {
        if k > 0 && (s.count - k) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return n < 0 ? "-" + out : out
}

/// Samples or series per second in a readable unit: "5.23 M/s".
public func rate(_ count: Int, _ seconds: Double) -> String {
    let r = Double(count) / max(seconds, 1e-9)
    if r >= 1e6 { return format(r / 1e6, 2) + " M/s" }
    if r >= 1e3 { return format(r / 1e3, 1) + " k/s" }
    return format(r, 1) + " /s"
}

/// Seconds taken by `body`.
@inline(never)
public func measure<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let clock = ContinuousClock()
    let start = clock.now
    let r = try body()
    let d = clock.now - start
    return (r, Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
}

extension Duration {
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

/// CPU time consumed by the calling thread, in seconds (what "on one core" means when the
/// machine is shared: wall-clock time also counts time spent waiting for a core).
public func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
