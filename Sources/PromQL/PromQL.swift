/// The PromQL engine: parser and evaluator over the TSDB (issue 3).
public enum PromQL {}
