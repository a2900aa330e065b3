/// Prometheus's stale marker: a NaN with one exact bit pattern, appended when a series stops
/// (a target vanishes, a rule stops returning it) so queries treat it as ended at once
/// instead of for the 5-minute lookback. Stored bit for bit like any other value.
public enum StaleMarker {
    public static let bits: UInt64 = 0x7ff0_0000_0000_0002
    public static let value = Double(bitPattern: bits)

    @inline(__always)
    public static func isStale(_ v: Double) -> Bool { v.bitPattern == bits }
}
