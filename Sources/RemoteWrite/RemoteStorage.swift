import Ingest
import Logging
import Synchronization
import TSDB

/// The `remote_write` section in force: one `QueueManager` per remote.
public final class RemoteStorage: Sendable {
    let db: TSDB
    let logger: Logger
    let pollInterval: Duration
    private let current = Mutex<[QueueManager]>([])
    /// Serializes `apply` and `stop`.
    private let applying = AsyncSerializer()

    public init(db: TSDB, logger: Logger, pollInterval: Duration = .milliseconds(100)) {
        self.db = db
        self.logger = logger
        self.pollInterval = pollInterval
    }

    public var queues: [QueueManager] { current.withLock { $0 } }

    /// Replaces the queues with those of `configs`. Each resumes from its own position in the
    /// append log, so restarting a queue loses nothing; the log position of a remote that is
    /// no longer configured is released. A config that cannot start (a TLS file that does
    /// not load, two remotes with one name) throws, and the running queues stay.
    public func apply(_ configs: [RemoteWriteConfig], externalLabels: Labels) async throws {
        try await applying.run { [self] in
            var fresh: [QueueManager] = []
            var names = Set<String>()
            do {
                for c in configs {
                    let q = try QueueManager(config: c, externalLabels: externalLabels, db: db, logger: logger,
                                             pollInterval: pollInterval)
                    fresh.append(q)
                    guard names.insert(q.consumerName).inserted else {
                        throw RemoteWriteError(message: "duplicate remote write configs are not allowed, found duplicate for URL: \(q.displayURL)")
                    }
                }
            } catch {
                for q in fresh { await q.stop() }
                throw error
            }
            let old = current.withLock { $0 }
            for q in old { await q.stop() }
            for state in try db.logConsumers() where state.name.hasPrefix("remote_write/") && !names.contains(state.name) {
                try db.removeLogConsumer(name: state.name)
                logger.info("remote write queue removed; its place in the append log is released",
                            metadata: ["consumer": "\(state.name)"])
            }
            for q in fresh { try q.start() }
            current.withLock { $0 = fresh }
        }
    }

    /// Stops every queue (each commits the position it reached).
    public func stop() async {
        await applying.run { [self] in
            let old = current.withLock { q -> [QueueManager] in
                let o = q
                q = []
                return o
            }
            for q in old { await q.stop() }
        }
    }
}

/// A remote_write section that cannot be applied.
public struct RemoteWriteError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Runs async bodies one at a time.
actor AsyncSerializer {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        while busy { await withCheckedContinuation { waiters.append($0) } }
        busy = true
        defer {
            busy = false
            if !waiters.isEmpty { waiters.removeFirst().resume() }
        }
        return try await body()
    }
}
