import Testing
@testable import PromQL

/// Differential tests against answers recorded from Prometheus 2.42 (see `ReferenceTable`).
@Suite struct ReferenceTests {
    private func outcome(_ query: String) -> ReferenceTable.Expected {
        do {
            return .valid(printed: try PromQL.parse(query).description)
        } catch {
            return .invalid(error: error.description)
        }
    }

    @Test func tableCoversValidAndInvalidQueries() {
        let rows = ReferenceTable.rows
        let valid = rows.filter { if case .valid = $0.expected { return true } else { return false } }
        #expect(rows.count > 2500)
        #expect(valid.count > 900)
        #expect(rows.count - valid.count > 1200)
        // Deliberate differences are few and explained.
        #expect(rows.filter { $0.note != nil }.count <= 15)
    }

    @Test func sameCanonicalTextOrErrorAsPrometheus() {
        for row in ReferenceTable.rows {
            let got = outcome(row.query)
            switch row.expected {
            case .valid(printed: nil):
                if case .invalid(let error) = got {
                    Issue.record("query \(row.query.debugDescription) should parse, got: \(error)")
                }
            default:
                #expect(got == row.expected, "query: \(row.query.debugDescription)")
            }
        }
    }

    /// Printing a parsed query and parsing the text again gives the same tree, and the same text.
    @Test func printedFormParsesBackToTheSameTree() throws {
        var checked = 0
        for row in ReferenceTable.rows {
            guard case .valid = row.expected, let first = try? PromQL.parse(row.query) else { continue }
            let printed = first.description
            let again: Expr
            do {
                again = try PromQL.parse(printed)
            } catch {
                Issue.record("printed form of \(row.query.debugDescription) does not parse: \(printed) → \(error)")
                continue
            }
            #expect(again == first, "query: \(row.query.debugDescription), printed: \(printed)")
            #expect(again.description == printed, "query: \(row.query.debugDescription)")
            #expect(again.type == first.type)
            checked += 1
        }
        #expect(checked > 900)
    }

    /// The numbers in the error text agree with the structured fields.
    @Test func errorPositionFieldsAgreeWithText() {
        for row in ReferenceTable.rows {
            guard case .invalid = row.expected else { continue }
            do {
                _ = try PromQL.parse(row.query)
            } catch {
                #expect(error.description.hasPrefix("\(error.line):\(error.column): parse error: "))
                #expect(error.description.hasSuffix(error.message))
                let bytes = Array(row.query.utf8)
                #expect(error.offset >= 0 && error.offset <= bytes.count)
                let before = bytes[..<min(error.offset, bytes.count)]
                let lines = before.filter { $0 == 0x0A }.count + 1
                let lastBreak = before.lastIndex(of: 0x0A) ?? -1
                #expect(error.line == lines)
                #expect(error.column == error.offset - lastBreak)
            }
        }
    }
}
