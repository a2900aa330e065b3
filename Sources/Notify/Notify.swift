/// The built-in Alertmanager: routing, grouping, silences, inhibition, receivers (issue 6).
public enum Notify {}
