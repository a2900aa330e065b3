/// Getting data in (issue 5). Entry points:
///
/// - `PrometheusConfig.load(file:)`: `prometheus.yml` as Prometheus 2.42 reads it;
///   `CheckConfig.check(file:...)` prints what `promtool check config` prints.
/// - `ScrapeManager`: scrapes the config's targets into a `TSDB` (`apply` on start and
///   reload, `activeTargets()` / `droppedTargets()` for `/api/v1/targets`, `stop()`).
/// - `RemoteWriteReceiver.handle(body:...)`: `POST /api/v1/write`, returns the status.
/// - `ImportEndpoint.handle(db:...)`: `POST /api/v1/import/prometheus`;
///   `BulkImporter`: `vigil import`.
/// - `ExpositionParser`, `Relabeler`: the text/OpenMetrics parser and relabelling on their own.

