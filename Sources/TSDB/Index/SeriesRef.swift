/// The stable id of a series: assigned once, in increasing order, persisted, never reused.
public struct SeriesRef: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let raw: UInt64

    @inlinable public init(_ raw: UInt64) { self.raw = raw }

    @inlinable public static func < (a: SeriesRef, b: SeriesRef) -> Bool { a.raw < b.raw }

    public var description: String { String(raw) }
}
