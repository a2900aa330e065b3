import Ingest
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// SIGHUP asks `vigil run` to re-read `--config.file`, as it asks Prometheus (a plain C
/// handler setting a flag the main loop polls).
final class ReloadSignal: @unchecked Sendable {
    nonisolated(unsafe) static var flag: sig_atomic_t = 0

    init() {
        signal(SIGHUP) { _ in ReloadSignal.flag = 1 }
    }

    /// True once per SIGHUP received.
    func take() -> Bool {
        guard ReloadSignal.flag != 0 else { return false }
        ReloadSignal.flag = 0
        return true
    }
}

/// Re-reads the config and applies it to scraping; a bad file keeps the running config.
func reloadConfig(_ file: String, _ scrapes: ScrapeManager, _ logger: Logger) {
    do {
        let config = try PrometheusConfig.load(file: file)
        try blocking { try await scrapes.apply(config) }
        logger.info("configuration reloaded", metadata: ["config": "\(file)"])
    } catch {
        logger.error("reloading the configuration failed; keeping the running one", metadata: ["error": "\(error)"])
    }
}
