import Foundation
import Testing
@testable import Rules

/// Bad and failing test files in `Failing/`, each with promtool 2.42's exit code, stdout
/// and stderr recorded next to it (`Failing/record.sh`): `test rules` must print the same.
@Suite struct FailingFileTests {
    static let directory: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Failing").path
    }()

    static var names: [String] {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return all.filter { $0.hasSuffix(".out") }.map { String($0.dropLast(4)) }.sorted()
    }

    @Test(arguments: names)
    func sameOutputAsPromtool(_ name: String) throws {
        let recorded = try String(contentsOfFile: "\(Self.directory)/\(name).out", encoding: .utf8)
        var out = "", err = ""
        let code = RuleUnitTests.run(files: ["\(Self.directory)/\(name).yml"], stdout: { out += $0 }, stderr: { err += $0 })
        // promtool ran inside the directory; paths are printed relative to it there.
        let prefix = Self.directory + "/"
        out = out.replacingOccurrences(of: prefix, with: "")
        err = err.replacingOccurrences(of: prefix, with: "")
        let mine = "exit: \(code)\n--- stdout\n\(out)--- stderr\n\(err)"
        #expect(mine == recorded)
    }
}
