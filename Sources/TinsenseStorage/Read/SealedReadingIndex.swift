import TinsenseCore

/// Answers "is (sensor, source time) already in these sealed segments?" and "what is the
/// newest sealed time of a series?" for a reader that merges the WAL tail with sealed data:
/// the same duplicate rule the store applies (`SegmentStore.append`), so a reading that was
/// sealed while it also sits after the checkpoint is shown once.
///
/// Reads the segment indexes at creation and chunk times on demand (cached, like the store's
/// own lookup); a segment that cannot be read is skipped (export reports it as damage).
public final class SealedReadingIndex {
    private let summaries: [SegmentSummary]
    private var newestBySensor: [String: Int64] = [:]
    private let lookup = SealedLookup()

    public init(segmentFiles: [String]) {
        var summaries: [SegmentSummary] = []
        for (n, path) in segmentFiles.enumerated() {
            guard let file = try? SegmentFile(path: path) else { continue }
            summaries.append(SegmentSummary(path: path, sequence: UInt64(n), index: file.index, bytes: file.size))
            for s in file.index.series {
                guard let last = s.chunks.map(\.maxTime).max() else { continue }
                newestBySensor[s.sensor] = max(newestBySensor[s.sensor] ?? last, last)
            }
        }
        self.summaries = summaries
    }

    /// The newest source time sealed for `sensor` (epoch ms), nil when none is.
    public func newest(_ sensor: String) -> Int64? { newestBySensor[sensor] }

    /// True when a reading of `sensor` at `time` (epoch ms) is sealed. Unreadable chunks
    /// count as "not sealed": the reading is then shown from the WAL rather than lost.
    public func contains(sensor: String, time: Int64) -> Bool {
        guard let newest = newestBySensor[sensor], time <= newest else { return false }
        return (try? lookup.contains(sensor: sensor, time: time, in: summaries)) ?? false
    }
}
