// A child process for the TSDB crash tests: appends deterministic batches and prints
// "ACK <round>" after each append returns, so a test that kills it with SIGKILL knows
// exactly which batches were acknowledged. It resumes after the newest stored round.
//
//   vigil-tsdb-stress DIR SERIES [CHECKPOINT_EVERY] [ROUNDS] [DURABILITY]
import TSDB

#if canImport(Glibc)
import Glibc
#endif

/// The value of series `s` at round `r`: arbitrary bits, NaN payloads included.
func expectedValue(series s: Int, round r: Int64) -> Double {
    var x = UInt64(truncatingIfNeeded: s) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(bitPattern: r) &* 0xBF58_476D_1CE4_E5B9
    x ^= x >> 31
    x &*= 0x94D0_49BB_1331_11EB
    x ^= x >> 29
    switch x % 16 {
    case 0: return Double(bitPattern: 0x7ff0_0000_0000_0002)  // stale marker
    case 1: return Double(r)                                   // counter-like
    case 2: return 42                                          // constant
    default: return Double(bitPattern: x)
    }
}

func printError(_ s: String) {
    let line = s + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
}

let args = CommandLine.arguments
guard args.count >= 3, let seriesCount = Int(args[2]) else {
    printError("usage: vigil-tsdb-stress DIR SERIES [CHECKPOINT_EVERY] [ROUNDS] [normal|full]")
    exit(2)
}
let checkpointEvery = args.count > 3 ? Int(args[3]) ?? 0 : 0
let rounds = args.count > 4 ? Int64(args[4]) ?? Int64.max : Int64.max
var options = TSDBOptions()
options.retentionMilliseconds = 0
if args.count > 5, let d = TSDBOptions.Durability(rawValue: args[5]) { options.durability = d }

do {
    let db = try TSDB.open(directory: args[1], options: options)
    let start = db.maxTime == .min ? 1 : db.maxTime / 1000 + 1
    var refs: [SeriesRef] = []
    for s in 0..<seriesCount {
        refs.append(try db.seriesRef(for: try Labels([("__name__", "stress"), ("series", String(s))])))
    }
    var round = start
    let end = rounds > Int64.max - start ? Int64.max : start + rounds
    while round < end {
        var batch = AppendBatch(capacity: seriesCount)
        // Series come and go: every 7th round, the odd series skip a beat.
        for s in 0..<seriesCount where round % 7 != 0 || s % 2 == 0 {
            batch.add(refs[s], round * 1000, expectedValue(series: s, round: round))
        }
        let r = try db.append(batch)
        guard r.rejected == 0 else {
            printError("unexpected rejection in round \(round): \(r)")
            exit(3)
        }
        print("ACK \(round)")
        fflush(nil)
        if checkpointEvery > 0 && round % Int64(checkpointEvery) == 0 { try db.checkpoint() }
        round += 1
    }
    try db.close()
} catch {
    printError("vigil-tsdb-stress: \(error)")
    exit(1)
}
