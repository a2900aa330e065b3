import Foundation
import Testing
@testable import Notify
import Template

enum Fixtures {
    static let examples = "/work/shared/examples"

    /// The shared examples when present, else the copies committed under Tests/NotifyTests/Fixtures.
    static func example(_ name: String) -> String {
        let shared = "\(examples)/\(name)"
        if FileManager.default.fileExists(atPath: shared) { return shared }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
    }

    static func text(_ name: String) -> String {
        (try? String(contentsOfFile: example(name), encoding: .utf8)) ?? ""
    }

    static func tempDir() -> String {
        let dir = NSTemporaryDirectory() + "vigil-notify-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func write(_ text: String, _ name: String = "alertmanager.yml", in dir: String? = nil) -> String {
        let d = dir ?? tempDir()
        let path = d + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    static func templates() -> TemplateSet {
        (try? TemplateLoader.load(globs: [], baseDirectory: ".")) ?? TemplateSet()
    }
}

/// Runs a program and returns (stdout, stderr, exit code).
func runProcess(_ path: String, _ args: [String], cwd: String? = nil) -> (String, String, Int32) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    do { try p.run() } catch { return ("", "\(error)", -1) }
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self), p.terminationStatus)
}

let amtoolPath = "/usr/bin/amtool"
let alertmanagerPath = "/usr/bin/prometheus-alertmanager"

/// Whether a reference binary is there. Without it a differential test is skipped with a
/// message, unless VIGIL_REQUIRE_ALERTMANAGER=1 (CI after installing the references), where
/// its absence is a failure.
func referenceAvailable(_ path: String) -> Bool {
    if FileManager.default.isExecutableFile(atPath: path) { return true }
    if ProcessInfo.processInfo.environment["VIGIL_REQUIRE_ALERTMANAGER"] == "1" {
        Issue.record("\(path) is required (VIGIL_REQUIRE_ALERTMANAGER=1) but not installed")
    } else {
        print("skipping: \(path) not installed (apt-get install prometheus-alertmanager)")
    }
    return false
}
