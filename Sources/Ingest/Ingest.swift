/// Scraping, exposition-format parsing and remote-write decoding (issue 5).
public enum Ingest {}
