/// Rule files, recording-rule materializer and alert state machine (issue 4).
public enum Rules {}
