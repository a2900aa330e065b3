/// Request parameters as Go's `http.Request.Form` holds them: the URL-encoded body of a POST
/// first, then the query string; repeated keys (`match[]`) keep every value in order.
struct FormValues: Sendable {
    private(set) var pairs: [(String, String)] = []

    init() {}

    /// Parses `application/x-www-form-urlencoded` text (`a=1&b=x+y&c=%2F`).
    init(encoded: String) {
        add(encoded: encoded)
    }

    mutating func add(encoded: String) {
        for part in encoded.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = Self.decode(kv[0]) else { continue }
            let value = kv.count > 1 ? (Self.decode(kv[1]) ?? "") : ""
            pairs.append((key, value))
        }
    }

    mutating func append(contentsOf other: FormValues) {
        pairs += other.pairs
    }

    /// The first value of `key`, or "" (Go's `FormValue`).
    subscript(key: String) -> String { first(key) ?? "" }

    func first(_ key: String) -> String? {
        pairs.first { $0.0 == key }?.1
    }

    func all(_ key: String) -> [String] {
        pairs.filter { $0.0 == key }.map(\.1)
    }

    /// Percent-decoding with `+` as space; nil when an escape is malformed (Go drops the pair).
    static func decode<S: StringProtocol>(_ s: S) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        var it = Array(s.utf8)[...]
        while let b = it.popFirst() {
            switch b {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard it.count >= 2, let h = hex(it[it.startIndex]), let l = hex(it[it.startIndex + 1]) else { return nil }
                bytes.append(h << 4 | l)
                it = it.dropFirst(2)
            default: bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
