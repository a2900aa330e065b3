import CSnappy

/// Snappy block decompression (the remote-write 1.0 body encoding) through libsnappy.
public enum Snappy {
    public struct DecodeError: Error, Sendable, Equatable { public var message: String }

    /// The decompressed bytes, refusing more than `limit` bytes (a bomb is a bad request).
    public static func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(DecodeError) -> [UInt8] {
        guard let base = input.baseAddress?.assumingMemoryBound(to: CChar.self), input.count > 0 else {
            throw DecodeError(message: "empty snappy body")
        }
        var length = 0
        guard snappy_uncompressed_length(base, input.count, &length) == SNAPPY_OK else {
            throw DecodeError(message: "snappy: corrupt input")
        }
        guard length <= limit else { throw DecodeError(message: "snappy: decompressed size \(length) exceeds the limit of \(limit) bytes") }
        var out = [UInt8](repeating: 0, count: length)
        var written = length
        let status = out.withUnsafeMutableBytes { dst in
            snappy_uncompress(base, input.count, dst.baseAddress!.assumingMemoryBound(to: CChar.self), &written)
        }
        guard status == SNAPPY_OK, written == length else { throw DecodeError(message: "snappy: corrupt input") }
        return out
    }

    /// Compresses `input` into `out` (grown when too small, never shrunk, so a sender reuses
    /// one buffer); returns the number of bytes of `out` that hold the result.
    public static func compress(_ input: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Int {
        let bound = snappy_max_compressed_length(input.count)
        if out.count < bound { out = [UInt8](repeating: 0, count: bound) }
        var n = out.count
        out.withUnsafeMutableBytes { dst in
            _ = snappy_compress(input.baseAddress?.assumingMemoryBound(to: CChar.self), input.count,
                                dst.baseAddress!.assumingMemoryBound(to: CChar.self), &n)
        }
        return n
    }

    /// The compressed bytes of `input`.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        let n = input.withUnsafeBytes { compress($0, into: &out) }
        out.removeSubrange(n...)
        return out
    }
}
