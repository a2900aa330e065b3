import GoText

/// Go's `strconv` quoting under the name the storage and ingest code use.
public typealias GoQuote = GoStrconv
