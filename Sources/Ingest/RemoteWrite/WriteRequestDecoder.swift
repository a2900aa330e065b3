/// Decodes a remote-write 1.0 `prometheus.WriteRequest` straight from its protobuf bytes.
///
/// Hand-written rather than generated with swift-protobuf because this is the receive hot
/// path: generated code materialises a `TimeSeries` with `[Label]` of Strings and `[Sample]`
/// per series per request, while the receiver only needs, per series, the byte span of its
/// labels (the key of its series cache: known series cost a hash and a compare, no String)
/// and its samples appended to one batch. The decoder walks the wire format once, allocates
/// nothing per series or sample, and rejects anything malformed (truncated varints and
/// lengths, wrong wire types for known fields, groups) so a bad payload becomes a 400.
///
/// Messages (prometheus/prompb, remote write 1.0): WriteRequest { repeated TimeSeries
/// timeseries = 1; repeated ScrapedMetadata metadata = 3; } TimeSeries { repeated Label
/// labels = 1; repeated Sample samples = 2; repeated Exemplar exemplars = 3; repeated
/// Histogram histograms = 4; } Label { string name = 1; string value = 2; } Sample {
/// double value = 1; int64 timestamp = 2; }. Exemplars, histograms (native histograms are
/// out of scope) and metadata are skipped.
public struct WriteRequestDecoder {
    public struct DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
        public var offset: Int
        public var message: String
        public var description: String { "\(message) at byte \(offset)" }
    }

    /// One label as spans into the payload.
    public struct LabelSpan: Sendable {
        public var name: ByteSpan
        public var value: ByteSpan
    }

    public let bytes: UnsafeBufferPointer<UInt8>
    private var pos = 0
    private var end: Int

    /// The current series after `nextSeries()`: its labels, and the span covering all its
    /// label fields (`labelBytes`, nil when labels are interleaved with other fields).
    public private(set) var labels: [LabelSpan] = []
    public private(set) var labelBytes: ByteSpan?
    private var seriesStart = 0
    private var seriesEnd = 0

    public init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        end = bytes.count
        labels.reserveCapacity(16)
    }

    /// Advances to the next `timeseries`; false at the end of the request.
    public mutating func nextSeries() throws(DecodeError) -> Bool {
        while pos < end {
            var p = pos
            let (field, wire) = try tag(at: &p, limit: end)
            if field == 1 {
                guard wire == 2 else { throw err("timeseries: wrong wire type \(wire)", p) }
                let len = try length(at: &p, limit: end)
                try parseSeries(p, p + len)
                pos = p + len
                return true
            }
            try skip(wire, at: &p, limit: end)
            pos = p
        }
        return false
    }

    private mutating func parseSeries(_ start: Int, _ stop: Int) throws(DecodeError) {
        labels.removeAll(keepingCapacity: true)
        labelBytes = nil
        seriesStart = start
        seriesEnd = stop
        var p = start
        var firstLabel = -1, lastLabelEnd = -1, interleaved = false, sawOther = false
        while p < stop {
            let fieldStart = p
            let (field, wire) = try tag(at: &p, limit: stop)
            if field == 1 {
                guard wire == 2 else { throw err("label: wrong wire type \(wire)", p) }
                let len = try length(at: &p, limit: stop)
                labels.append(try parseLabel(p, p + len))
                p += len
                if firstLabel < 0 { firstLabel = fieldStart } else if sawOther { interleaved = true }
                lastLabelEnd = p
            } else {
                if field == 2 && wire != 2 { throw err("sample: wrong wire type \(wire)", p) }
                if firstLabel >= 0 { sawOther = true }
                try skip(wire, at: &p, limit: stop)
            }
        }
        if firstLabel >= 0 && !interleaved { labelBytes = ByteSpan(start: firstLabel, end: lastLabelEnd) }
    }

    private func parseLabel(_ start: Int, _ stop: Int) throws(DecodeError) -> LabelSpan {
        var p = start
        var name = ByteSpan(start: start, end: start), value = ByteSpan(start: start, end: start)
        while p < stop {
            let (field, wire) = try tag(at: &p, limit: stop)
            if (field == 1 || field == 2) && wire == 2 {
                let len = try length(at: &p, limit: stop)
                if field == 1 { name = ByteSpan(start: p, end: p + len) } else { value = ByteSpan(start: p, end: p + len) }
                p += len
            } else {
                try skip(wire, at: &p, limit: stop)
            }
        }
        return LabelSpan(name: name, value: value)
    }

    /// Calls `body(timestamp, value)` for each sample of the current series, in order.
    public func forEachSample(_ body: (Int64, Double) -> Void) throws(DecodeError) {
        var p = seriesStart
        let stop = seriesEnd
        while p < stop {
            let (field, wire) = try tag(at: &p, limit: stop)
            guard field == 2 else { try skip(wire, at: &p, limit: stop); continue }
            let len = try length(at: &p, limit: stop)
            let sEnd = p + len
            var value = 0.0
            var ts: Int64 = 0
            while p < sEnd {
                let (f, w) = try tag(at: &p, limit: sEnd)
                if f == 1 && w == 1 {
                    guard p + 8 <= sEnd else { throw err("sample value truncated", p) }
                    value = Double(bitPattern: UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + p).loadUnaligned(as: UInt64.self)))
                    p += 8
                } else if f == 2 && w == 0 {
                    ts = Int64(bitPattern: try varint(at: &p, limit: sEnd))
                } else {
                    try skip(w, at: &p, limit: sEnd)
                }
            }
            body(ts, value)
        }
    }

    public func text(_ s: ByteSpan) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[s.start..<s.end]), as: UTF8.self)
    }

    // MARK: Wire format

    @inline(__always)
    private func tag(at p: inout Int, limit: Int) throws(DecodeError) -> (Int, Int) {
        let v = try varint(at: &p, limit: limit)
        let field = Int(truncatingIfNeeded: v >> 3)
        guard field > 0 else { throw err("invalid field number 0", p) }
        return (field, Int(v & 7))
    }

    @inline(__always)
    private func length(at p: inout Int, limit: Int) throws(DecodeError) -> Int {
        let v = try varint(at: &p, limit: limit)
        guard v <= UInt64(limit - p) else { throw err("length \(v) runs past the end of the message", p) }
        return Int(v)
    }

    @inline(__always)
    private func varint(at p: inout Int, limit: Int) throws(DecodeError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while p < limit {
            let b = bytes[p]
            p += 1
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
            guard shift < 64 else { throw err("varint too long", p) }
        }
        throw err("truncated varint", p)
    }

    private func skip(_ wire: Int, at p: inout Int, limit: Int) throws(DecodeError) {
        switch wire {
        case 0: _ = try varint(at: &p, limit: limit)
        case 1:
            guard p + 8 <= limit else { throw err("truncated fixed64", p) }
            p += 8
        case 2:
            let n = try length(at: &p, limit: limit)
            p += n
        case 5:
            guard p + 4 <= limit else { throw err("truncated fixed32", p) }
            p += 4
        default: throw err("unsupported wire type \(wire)", p)
        }
    }

    private func err(_ m: String, _ at: Int) -> DecodeError { DecodeError(offset: at, message: m) }
}
