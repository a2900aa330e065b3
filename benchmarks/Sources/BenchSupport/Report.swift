/// One measured figure for the summary table.
public struct Figure: Sendable {
    public var benchmark: String
    public var name: String
    public var value: String
    public var goal: String
    /// nil: no goal; true/false: goal met or not.
    public var met: Bool?

    public init(_ benchmark: String, _ name: String, _ value: String, goal: String = "", met: Bool? = nil) {
        self.benchmark = benchmark
        self.name = name
        self.value = value
        self.goal = goal
        self.met = met
    }
}

/// Collects figures and prints them as a Markdown table (pasteable into RESULTS.md).
public final class Report: @unchecked Sendable {
    public private(set) var figures: [Figure] = []

    public init() {}

    public func add(_ f: Figure) {
        figures.append(f)
        let verdict = f.met.map { $0 ? "  [goal \(f.goal): met]" : "  [goal \(f.goal): NOT met]" } ?? ""
        print("  \(f.name): \(f.value)\(verdict)")
        flushStdout()
    }

    public func printTable(title: String) {
        print("")
        print("## \(title)")
        print("")
        printMarkdownTable(
            header: ["#", "figure", "value", "goal", "met"],
            rows: figures.map { [$0.benchmark, $0.name, $0.value, $0.goal, $0.met.map { $0 ? "yes" : "**no**" } ?? ""] })
    }
}

public func printMarkdownTable(header: [String], rows: [[String]]) {
    var widths = header.map(\.count)
    for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
    func line(_ cells: [String]) -> String {
        "| " + cells.enumerated().map { i, c in c + String(repeating: " ", count: widths[i] - c.count) }.joined(separator: " | ") + " |"
    }
    print(line(header))
    print("| " + widths.map { String(repeating: "-", count: $0) }.joined(separator: " | ") + " |")
    for r in rows { print(line(r)) }
    flushStdout()
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Flushes every C stream (stdout included), so output interleaves correctly with children's.
public func flushStdout() { fflush(nil) }

/// Progress lines go to stderr so stdout stays a clean report.
public func progress(_ s: String) {
    let line = Array((s + "\n").utf8)
    line.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
}
