/// The built-in Alertmanager: routing, grouping, silences, inhibition, receivers (issue 6).
///
/// Entry points: `ConfigLoader` (alertmanager.yml), `CheckConfig` (amtool check-config),
/// `Dispatcher` (alerts in, notifications out), `Silences`, `NotifyStore` (SQLite state and
/// history), `ReceiverTest` (`vigil notify test`).

