import GoText

/// Go's `strconv.Quote`, for label sets printed the way Alertmanager prints them
/// (group keys, `{alertname="x"}`).
typealias GoQuote = GoStrconv
