/// The HTTP server and the wiring of all modules for `vigil run` (issue 7).
public enum Server {}
