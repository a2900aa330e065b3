/// Queries with the answer Prometheus 2.42 gives for them, for differential tests that do not
/// need Prometheus at hand.
///
/// How the data was made: about 2,700 queries — hand-written valid and malformed ones for
/// every construct, a systematic set for every function (right, too many, too few and
/// wrongly typed arguments), plus samples of machine-made ones (random well- and ill-typed
/// expressions, and those mutated by deleting, inserting or replacing characters and
/// tokens) — were sent to a Debian `prometheus` 2.42.0 server (`/api/v1/format_query`),
/// and its answer recorded: the canonical text of a valid query (its `String()`), or the
/// complete error with line and column.
///
/// Each line is `<query>\t<expected>[\t<note>]`, both JSON strings. `<expected>` starts with
/// `=` and the canonical text, with `!` and the error text, or is `~` for a valid query whose
/// canonical text Prometheus would not print on one line. A note marks the few rows where
/// the expectation deliberately differs from Prometheus and says why.
enum ReferenceTable {
    enum Expected: Equatable {
        case valid(printed: String?)
        case invalid(error: String)
    }

    struct Row {
        let query: String
        let expected: Expected
        let note: String?
    }

    static let rows: [Row] = {
        var rows: [Row] = []
        for part in [part1, part2, part3, part4, part5, part6] {
            for line in part.split(separator: "\n") {
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
                precondition(fields.count >= 2, "malformed reference row: \(line)")
                let query = JSONString.decode(fields[0])
                let expected = JSONString.decode(fields[1])
                let note = fields.count > 2 ? String(fields[2]) : nil
                switch expected.first {
                case "=": rows.append(Row(query: query, expected: .valid(printed: String(expected.dropFirst())), note: note))
                case "~": rows.append(Row(query: query, expected: .valid(printed: nil), note: note))
                case "!": rows.append(Row(query: query, expected: .invalid(error: String(expected.dropFirst())), note: note))
                default: preconditionFailure("malformed expectation: \(line)")
                }
            }
        }
        return rows
    }()
}

/// Decodes a JSON string literal (the reference data is ASCII JSON).
enum JSONString {
    static func decode(_ text: Substring) -> String {
        let s = Array(text.utf16)
        precondition(s.count >= 2 && s.first == 0x22 && s.last == 0x22, "not a JSON string: \(text)")
        var out: [UInt16] = []
        var i = 1
        while i < s.count - 1 {
            let c = s[i]
            guard c == 0x5C else {
                out.append(c)
                i += 1
                continue
            }
            let e = s[i + 1]
            i += 2
            switch e {
            case 0x6E: out.append(0x0A)  // n
            case 0x74: out.append(0x09)  // t
            case 0x72: out.append(0x0D)  // r
            case 0x62: out.append(0x08)  // b
            case 0x66: out.append(0x0C)  // f
            case 0x75:  // u
                var v: UInt16 = 0
                for k in 0..<4 { v = v << 4 | UInt16(hexValue(s[i + k])) }
                out.append(v)
                i += 4
            default: out.append(e)  // " \ /
            }
        }
        return String(decoding: out, as: UTF16.self)
    }

    private static func hexValue(_ c: UInt16) -> UInt16 {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        default: return c - 0x41 + 10
        }
    }
}
