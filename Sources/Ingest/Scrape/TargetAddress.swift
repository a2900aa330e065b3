/// Target addresses (`host:port`) as Prometheus 2.42 completes them.
public enum TargetAddress {
    /// Adds the scheme's default port (80 for http, 443 for https) when `address` has none,
    /// as 2.42's `PopulateLabels` does.
    public static func withDefaultPort(_ address: String, scheme: String) -> String {
        if hasPort(address) { return address }
        let port = scheme == "https" ? "443" : "80"
        // A bare IPv6 address needs brackets.
        if address.contains(":") && !address.hasPrefix("[") { return "[\(address)]:\(port)" }
        return "\(address):\(port)"
    }

    static func hasPort(_ a: String) -> Bool {
        if a.hasPrefix("[") { return a.contains("]:") }
        let colons = a.utf8.filter { $0 == 0x3A }.count
        return colons == 1
    }
}
