import Ingest
import TSDB

/// The outgoing labels of every series a queue has seen: the stored labels plus the external
/// labels (a series' own label wins), then `write_relabel_configs`, encoded once as protobuf
/// fields. Indexed by series ref (refs are small dense integers), so a sample costs two array
/// reads, not a hash lookup.
struct LabelCache {
    private enum State: UInt8 { case unknown = 0, kept, dropped }

    let externalLabels: Labels
    let relabel: [RelabelConfig]
    private var state: [State] = []
    private var encoded: [[UInt8]] = []
    /// Per ref: the round it was last seen in and its index there.
    private var seenInRound: [UInt32] = []
    private var indexInRound: [Int32] = []
    private var round: UInt32 = 0

    init(externalLabels: Labels, relabel: [RelabelConfig]) {
        self.externalLabels = externalLabels
        self.relabel = relabel
    }

    /// The samples of `batch` that go out, with their series' labels; the rest counted.
    mutating func segment(of batch: AppendBatch, db: TSDB) -> (segment: Segment, dropped: Int) {
        round &+= 1
        var seg = Segment()
        seg.series.reserveCapacity(batch.count)
        seg.timestamps.reserveCapacity(batch.count)
        seg.values.reserveCapacity(batch.count)
        var dropped = 0
        for i in 0..<batch.count {
            let ref = batch.refs[i]
            let slot = Int(truncatingIfNeeded: ref.raw)
            if slot >= state.count { grow(to: slot + 1) }
            if state[slot] == .unknown { resolve(ref, slot, db) }
            guard state[slot] == .kept else {
                dropped += 1
                continue
            }
            if seenInRound[slot] != round {
                seenInRound[slot] = round
                indexInRound[slot] = Int32(seg.labels.count)
                seg.labels.append(encoded[slot])
            }
            seg.series.append(indexInRound[slot])
            seg.timestamps.append(batch.timestamps[i])
            seg.values.append(batch.values[i])
        }
        return (seg, dropped)
    }

    private mutating func resolve(_ ref: SeriesRef, _ slot: Int, _ db: TSDB) {
        // Refs are never reused: a series the store no longer knows stays dropped.
        guard let stored = db.labels(of: ref) else {
            state[slot] = .dropped
            return
        }
        var lb = LabelBuilder(stored)
        for l in externalLabels where lb.get(l.name).isEmpty { lb.set(l.name, l.value) }
        guard Relabeler.process(&lb, relabel), let out = try? lb.labels(), !out.isEmpty else {
            state[slot] = .dropped
            return
        }
        encoded[slot] = WriteRequestEncoder.encodeLabels(out)
        state[slot] = .kept
    }

    private mutating func grow(to n: Int) {
        let size = max(n, state.count * 2, 1024)
        state += [State](repeating: .unknown, count: size - state.count)
        encoded += [[UInt8]](repeating: [], count: size - encoded.count)
        seenInRound += [UInt32](repeating: 0, count: size - seenInRound.count)
        indexInRound += [Int32](repeating: 0, count: size - indexInRound.count)
    }
}
