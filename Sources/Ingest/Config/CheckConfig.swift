import Foundation

/// `promtool check config` of Prometheus 2.42, for one file: prints what promtool prints for
/// the config itself (its file_sd warnings, the rule file count, the success line) and hands
/// back the rule files to check, which the CLI passes to the rule checker (Ingest does not
/// depend on Rules).
public enum CheckConfig {
    public struct Outcome: Sendable {
        public var ok: Bool
        /// The rule files the config names, globbed and resolved, in promtool's order.
        public var ruleFiles: [String]
    }

    /// Writes `Checking FILE` and the outcome; the blank line after it too.
    public static func check(file: String, syntaxOnly: Bool = false,
                             stdout: (String) -> Void, stderr: (String) -> Void) -> Outcome {
        stdout("Checking \(file)\n")
        let config: PrometheusConfig
        do {
            config = try PrometheusConfig.load(file: file)
        } catch {
            stderr("  FAILED: \(error.promtoolMessage)\n")
            stdout("\n")
            return Outcome(ok: false, ruleFiles: [])
        }
        var ruleFiles: [String] = []
        func failed(_ message: String) -> Outcome {
            stderr("  FAILED: \(message)\n")
            stdout("\n")
            return Outcome(ok: false, ruleFiles: [])
        }
        if syntaxOnly {
            for sc in config.scrapeConfigs {
                if let m = checkTLS(sc.http.tls, syntaxOnly: true) { return failed(m) }
            }
        } else {
            for pattern in config.ruleFiles {
                ruleFiles += FileSD.glob(HTTPClientConfig.resolve(pattern, config.directory))
            }
            // promtool also complains about a plain path that does not exist.
            for pattern in config.ruleFiles where !pattern.contains("*") {
                let p = HTTPClientConfig.resolve(pattern, config.directory)
                if !FileManager.default.fileExists(atPath: p) {
                    stderr("  FAILED: \(goQuote(p)) does not point to an existing file\n")
                    stdout("\n")
                    return Outcome(ok: false, ruleFiles: [])
                }
            }
            for sc in config.scrapeConfigs {
                if let f = sc.http.authorization?.credentialsFile, let e = statError(f) {
                    return failed("error checking authorization credentials or bearer token file \(goQuote(f)): \(e)")
                }
                if let m = checkTLS(sc.http.tls, syntaxOnly: false) { return failed(m) }
                for sd in sc.fileSDConfigs {
                    for pattern in sd.files {
                        let files = FileSD.glob(pattern)
                        if files.isEmpty {
                            stdout("  WARNING: file \(goQuote(pattern)) for file_sd in scrape job \(goQuote(sc.jobName)) does not exist\n")
                        }
                        for f in files {
                            if let message = checkSDFile(f, scrape: sc) {
                                stderr("  FAILED: \(message)\n")
                                stdout("\n")
                                return Outcome(ok: false, ruleFiles: [])
                            }
                        }
                    }
                }
            }
        }
        if !syntaxOnly { stdout("  SUCCESS: \(ruleFiles.count) rule files found\n") }
        stdout(" SUCCESS: \(file) is valid prometheus config file syntax\n")
        stdout("\n")
        return Outcome(ok: true, ruleFiles: ruleFiles)
    }

    /// promtool's `checkTLSConfig`.
    static func checkTLS(_ t: HTTPClientConfig.TLSConfig, syntaxOnly: Bool) -> String? {
        if !t.certFile.isEmpty && t.keyFile.isEmpty { return "client cert file \(goQuote(t.certFile)) specified without client key file" }
        if !t.keyFile.isEmpty && t.certFile.isEmpty { return "client key file \(goQuote(t.keyFile)) specified without client cert file" }
        if syntaxOnly { return nil }
        if let e = statError(t.certFile) { return "error checking client cert file \(goQuote(t.certFile)): \(e)" }
        if let e = statError(t.keyFile) { return "error checking client key file \(goQuote(t.keyFile)): \(e)" }
        return nil
    }

    /// Go's `os.Stat` error text for a missing file, nil when it exists (or no file is set).
    static func statError(_ path: String) -> String? {
        if path.isEmpty || FileManager.default.fileExists(atPath: path) { return nil }
        return "stat \(path): no such file or directory"
    }

    /// Reads an SD file and checks its targets as Prometheus would build them.
    static func checkSDFile(_ file: String, scrape: ScrapeConfig) -> String? {
        let groups: [TargetGroup]
        do { groups = try FileSD.read(file: file) } catch { return "checking SD file \(goQuote(file)): \(error.message)" }
        for g in groups {
            for (i, t) in g.targets.enumerated() {
                let addr = TargetAddress.withDefaultPort(t, scheme: scrape.scheme)
                if addr.contains("/") {
                    return "instance \(i) in group : \(goQuote(addr)) is not a valid hostname"
                }
            }
        }
        return nil
    }
}
