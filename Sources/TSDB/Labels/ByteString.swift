#if canImport(Glibc)
import Glibc
#endif

/// A string compared and hashed by its UTF-8 bytes, as Go (and so Prometheus) compares
/// strings. Swift's `==` treats canonically equivalent strings as equal ("é" precomposed and
/// decomposed), which would merge label values Prometheus keeps apart.
struct ByteString: Hashable {
    let string: String

    init(_ s: String) { string = s }

    static func == (a: ByteString, b: ByteString) -> Bool {
        a.string.utf8Equals(b.string)
    }

    func hash(into h: inout Hasher) {
        var s = string
        s.withUTF8 { h.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

extension String {
    /// Byte-wise (Go) ordering of UTF-8 strings: memcmp over the contiguous UTF-8 storage.
    @inlinable
    public func utf8Precedes(_ other: String) -> Bool {
        var a = self, b = other
        return a.withUTF8 { pa in
            b.withUTF8 { pb in
                let n = Swift.min(pa.count, pb.count)
                if n > 0 {
                    let c = memcmp(pa.baseAddress!, pb.baseAddress!, n)
                    if c != 0 { return c < 0 }
                }
                return pa.count < pb.count
            }
        }
    }

    /// Byte-wise (Go) equality.
    @inlinable
    public func utf8Equals(_ other: String) -> Bool {
        var a = self, b = other
        return a.withUTF8 { pa in
            b.withUTF8 { pb in
                pa.count == pb.count && (pa.count == 0 || memcmp(pa.baseAddress!, pb.baseAddress!, pa.count) == 0)
            }
        }
    }
}
