#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file operations the storage engine needs, without Foundation.
enum FileSystem {
    /// `mkdir -p`.
    static func makeDirectory(_ path: String) throws(TSDBError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw .storage("cannot create directory \(current): \(String(cString: strerror(errno)))")
            }
        }
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }
}
