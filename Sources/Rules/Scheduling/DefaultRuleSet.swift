/// The rules `vigil run` evaluates when it is given none, over Vigil's own metrics, so a
/// newcomer sees recording rules materialize series and an alert go through its states.
public enum DefaultRuleSet {
    /// The name the groups carry as their file (shown on the Rules page).
    public static let fileName = "<embedded>/vigil-default-rules.yml"

    public static let text = """
        groups:
          - name: vigil-self
            interval: 15s
            rules:
              - record: job:process_cpu_seconds:rate1m
                expr: rate(process_cpu_seconds_total{job="vigil"}[1m])
              - record: job:vigil_tsdb_samples_appended:rate1m
                expr: rate(vigil_tsdb_head_samples_appended_total{job="vigil"}[1m])
              - alert: VigilHighMemory
                expr: process_resident_memory_bytes{job="vigil"} > 2 * 1024 * 1024 * 1024
                for: 5m
                labels:
                  severity: warning
                annotations:
                  summary: "Vigil uses {{ humanize1024 $value }}B of memory"
              - alert: VigilBusy
                expr: job:process_cpu_seconds:rate1m > 0.9
                for: 10m
                labels:
                  severity: warning
                annotations:
                  summary: "Vigil has used {{ humanizePercentage $value }} of a core for 10 minutes"
        """

    /// The groups, built with `defaultInterval` for groups without their own.
    public static func groups(defaultInterval: Int64) -> [RuleGroup] {
        switch RuleFile.parse(text) {
        case .failure: return []
        case .success(let f):
            return (try? RuleGroupLoader.build(f, file: fileName, defaultInterval: defaultInterval).get()) ?? []
        }
    }
}
