/// A string compared and hashed by its UTF-8 bytes, as Go (and so Prometheus) compares
/// strings. Swift's `==` treats canonically equivalent strings as equal ("é" precomposed and
/// decomposed), which would merge label values Prometheus keeps apart.
struct ByteString: Hashable {
    let string: String

    init(_ s: String) { string = s }

    static func == (a: ByteString, b: ByteString) -> Bool {
        a.string.utf8.elementsEqual(b.string.utf8)
    }

    func hash(into h: inout Hasher) {
        var s = string
        s.withUTF8 { h.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

extension String {
    /// Byte-wise (Go) ordering of UTF-8 strings.
    @inlinable
    public func utf8Precedes(_ other: String) -> Bool {
        utf8.lexicographicallyPrecedes(other.utf8)
    }

    /// Byte-wise (Go) equality.
    @inlinable
    public func utf8Equals(_ other: String) -> Bool {
        utf8.elementsEqual(other.utf8)
    }
}
