import Foundation
import SQLite
import Testing
@testable import TSDB

/// Kills a child process that appends batches with SIGKILL at random points, several rounds on
/// the same directory, and checks after each kill that every acknowledged batch is there,
/// nothing was invented, and the SQLite file is intact.
@Suite struct CrashTests {
    static func stressBinary() -> URL {
        // The test bundle sits next to the products in .build/<config>/.
        var dir = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("vigil-tsdb-stress")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/vigil-tsdb-stress")
    }

    /// The same value function the child uses (kept in sync with Sources/vigil-tsdb-stress).
    static func expectedValue(series s: Int, round r: Int64) -> Double {
        var x = UInt64(truncatingIfNeeded: s) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(bitPattern: r) &* 0xBF58_476D_1CE4_E5B9
        x ^= x >> 31
        x &*= 0x94D0_49BB_1331_11EB
        x ^= x >> 29
        switch x % 16 {
        case 0: return Double(bitPattern: 0x7ff0_0000_0000_0002)
        case 1: return Double(r)
        case 2: return 42
        default: return Double(bitPattern: x)
        }
    }

    final class AckReader: @unchecked Sendable {
        let lock = NSLock()
        var lastAck: Int64 = 0
        var buffer = Data()

        func feed(_ d: Data) {
            lock.lock()
            defer { lock.unlock() }
            buffer.append(d)
            while let nl = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...nl)
                if line.hasPrefix("ACK "), let r = Int64(line.dropFirst(4)) { lastAck = r }
            }
        }

        var value: Int64 { lock.lock(); defer { lock.unlock() }; return lastAck }
    }

    @Test(arguments: [(series: 300, checkpointEvery: 0), (series: 1000, checkpointEvery: 37)])
    func acknowledgedBatchesSurviveSIGKILL(series: Int, checkpointEvery: Int) throws {
        let dir = TempDir("crash")
        defer { dir.cleanup() }
        var rng = SystemRandomNumberGenerator()
        var everAcked: Int64 = 0
        for round in 0..<5 {
            let p = Process()
            p.executableURL = Self.stressBinary()
            p.arguments = [dir.path, String(series), String(checkpointEvery)]
            let out = Pipe()
            p.standardOutput = out
            let errPipe = Pipe()
            p.standardError = errPipe
            let acks = AckReader()
            out.fileHandleForReading.readabilityHandler = { h in acks.feed(h.availableData) }
            try p.run()
            // Let it run a random while (and at least until it acknowledged something new).
            let deadline = Date().addingTimeInterval(Double.random(in: 0.3...1.5, using: &rng))
            while Date() < deadline || acks.value <= everAcked {
                Thread.sleep(forTimeInterval: 0.01)
                if !p.isRunning { break }
                if Date().timeIntervalSince(deadline) > 30 { break }
            }
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            out.fileHandleForReading.readabilityHandler = nil
            acks.feed(out.fileHandleForReading.readDataToEndOfFile())
            let childErr = String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(p.terminationReason == .uncaughtSignal,
                    "round \(round): the child must have been killed, not exited (\(p.terminationStatus)): \(childErr)")
            let acked = acks.value
            #expect(acked > everAcked, "round \(round): the child made progress")
            everAcked = max(everAcked, acked)

            // Integrity of the SQLite file, as left by the kill.
            do {
                let conn = try Connection(path: dir.path + "/vigil.db")
                #expect(try conn.integrityProblems().isEmpty)
            }
            let db = try openDB(dir)
            let stored = try dump(db, [.equal("__name__", "stress")])
            #expect(stored.count == series)
            var maxRound: Int64 = 0
            for s in 0..<series {
                let samples = stored["stress{series=\"\(s)\"}"] ?? []
                // Nothing invented: every stored sample is exactly the value written for it.
                for (t, v) in samples {
                    #expect(t % 1000 == 0)
                    let r = t / 1000
                    maxRound = max(maxRound, r)
                    #expect(v.bitPattern == Self.expectedValue(series: s, round: r).bitPattern, "series \(s) round \(r)")
                }
                // Nothing acknowledged is missing.
                let rounds = Set(samples.map { $0.t / 1000 })
                for r in stride(from: 1, through: everAcked, by: 1) where r % 7 != 0 || s % 2 == 0 {
                    if !rounds.contains(r) {
                        Issue.record("series \(s): acknowledged round \(r) is missing after kill \(round)")
                        break
                    }
                }
            }
            // At most the one batch in flight at the kill may be there beyond the last ACK.
            #expect(maxRound <= everAcked + 1)
            everAcked = max(everAcked, maxRound)
            try db.close()
        }
    }
}
