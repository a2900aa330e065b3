// A child process for the Notify restart tests: runs the built-in Alertmanager on the real
// clock with a config and a data directory, optionally posting one alert first, so a test
// can kill it with SIGKILL between a notification and its repeat and start it again.
//
//   vigil-notify-stress CONFIG DATA_DIR [ALERTNAME [SILENCE_MATCHERS]]
import Foundation
import Notify

let args = CommandLine.arguments
guard args.count >= 3 else {
    FileHandle.standardError.write(Data("usage: vigil-notify-stress CONFIG DATA_DIR [ALERTNAME]\n".utf8))
    exit(2)
}
do {
    let dispatcher = try NotifyService.make(configFile: args[1], dataDirectory: args[2])
    if args.count > 3 {
        await dispatcher.receive([PostableAlert(labels: ["alertname": args[3]], annotations: ["summary": "restart test"])])
    }
    if args.count > 4 {
        let now = Date()
        try dispatcher.silences.set(Silence(
            matchers: try MatcherParser.parseMatchers(args[4]), startsAt: now, endsAt: now.addingTimeInterval(3600),
            createdBy: "vigil-notify-stress", comment: "restart test"), now: now)
    }
    FileHandle.standardOutput.write(Data("READY\n".utf8))
    await dispatcher.run(every: .milliseconds(20))
} catch {
    FileHandle.standardError.write(Data("vigil-notify-stress: \(error)\n".utf8))
    exit(1)
}
