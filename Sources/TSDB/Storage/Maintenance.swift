import Dispatch

/// The background loop that keeps a database in shape: a checkpoint when the append log has
/// grown past its limit or the interval has passed, retention and compaction less often.
/// Appends only signal it; they never wait for it.
final class Maintenance: @unchecked Sendable {
    private let wakeup = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let lock = Lock()
    private var stopping = false
    private var signalled = false

    /// Starts the loop for `db` on its own thread.
    init(db: TSDB) {
        let options = db.options
        Thread.detach { [self, weak db] in
            var lastCheckpoint = DispatchTime.now()
            var lastRetention = DispatchTime.now()
            while true {
                _ = wakeup.wait(timeout: .now() + min(options.checkpointIntervalSeconds, 5))
                let stop = lock.withLock { () -> Bool in
                    signalled = false
                    return stopping
                }
                guard !stop, let db else { break }
                let now = DispatchTime.now()
                do {
                    if db.logBytes >= options.checkpointLogBytes
                        || seconds(since: lastCheckpoint, now) >= options.checkpointIntervalSeconds {
                        try db.checkpoint()
                        lastCheckpoint = .now()
                    }
                    if seconds(since: lastRetention, now) >= options.retentionIntervalSeconds {
                        try db.applyRetention()
                        try db.compact()
                        lastRetention = .now()
                    }
                } catch TSDBError.closed {
                    break
                } catch {
                    db.logger.error("background maintenance failed", metadata: ["error": "\(error)"])
                }
            }
            finished.signal()
        }
    }

    /// Wakes the loop (cheap, idempotent until the loop has run).
    func poke() {
        let send = lock.withLock { () -> Bool in
            if signalled { return false }
            signalled = true
            return true
        }
        if send { wakeup.signal() }
    }

    /// Stops the loop and waits for a running step to finish.
    func stop() {
        lock.withLock { stopping = true }
        wakeup.signal()
        finished.wait()
    }
}

private func seconds(since start: DispatchTime, _ now: DispatchTime) -> Double {
    Double(now.uptimeNanoseconds &- start.uptimeNanoseconds) / 1e9
}

/// A detached OS thread (maintenance must not occupy a cooperative-pool thread for minutes).
enum Thread {
    static func detach(_ body: @escaping @Sendable () -> Void) {
        final class Box: @unchecked Sendable { let body: @Sendable () -> Void; init(_ b: @escaping @Sendable () -> Void) { body = b } }
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { arg in
            let box = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        pthread_detach(tid)
    }
}

#if canImport(Glibc)
import Glibc
#endif
