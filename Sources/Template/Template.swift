/// Go text/template as Prometheus and Alertmanager use it (issue 4).
public enum Template {}
