import TSDB

/// A whole page parsed into label sets: for import, checks and tests, not the scrape hot
/// path (which keeps spans and caches series by their bytes).
public struct ExposedSample: Sendable, Equatable {
    public var labels: Labels
    public var value: Double
    public var timestamp: Int64?

    public static func == (a: ExposedSample, b: ExposedSample) -> Bool {
        a.labels == b.labels && a.value.bitPattern == b.value.bitPattern && a.timestamp == b.timestamp
    }
}

extension ExpositionParser {
    /// The current sample's label set (`__name__` included), built as Strings.
    public func currentLabels() throws(ExpositionError) -> Labels {
        var pairs: [Label] = [Label(Labels.metricName, text(metricName))]
        pairs.reserveCapacity(labels.count + 1)
        for l in labels {
            let name = text(l.name)
            if name == Labels.metricName { throw ExpositionError(line: line, message: "label __name__ is not allowed in a label set") }
            let value = labelValue(l)
            // Invalid UTF-8 decodes with U+FFFD replacements; Prometheus rejects such pages.
            if value.unicodeScalars.contains("\u{FFFD}") && !rawContainsReplacement(l.value) {
                throw ExpositionError(line: line, message: "invalid UTF-8 label value for label \(name)")
            }
            pairs.append(Label(name, value))
        }
        do { return try Labels(pairs) } catch { throw ExpositionError(line: line, message: "\(error)") }
    }

    /// Whether the bytes themselves spell U+FFFD (EF BF BD), i.e. it is not a decoding artefact.
    func rawContainsReplacement(_ s: ByteSpan) -> Bool {
        var i = s.start
        while i + 2 < s.end {
            if bytes[i] == 0xEF && bytes[i + 1] == 0xBF && bytes[i + 2] == 0xBD { return true }
            i += 1
        }
        return false
    }

    /// Every sample of `bytes`.
    public static func samples(_ bytes: [UInt8], format: ExpositionFormat) throws(ExpositionError) -> [ExposedSample] {
        var result: Result<[ExposedSample], ExpositionError> = .success([])
        bytes.withUnsafeBufferPointer { buf in
            var p = ExpositionParser(bytes: buf, format: format)
            var out: [ExposedSample] = []
            do throws(ExpositionError) {
                while let e = try p.next() {
                    if case .sample = e { out.append(ExposedSample(labels: try p.currentLabels(), value: p.value, timestamp: p.timestamp)) }
                }
                result = .success(out)
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }
}
