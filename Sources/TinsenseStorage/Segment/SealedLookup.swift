import TinsenseEncoding

/// Answers "is this (sensor, source time) already in a sealed segment?" for the duplicate
/// check, reading indexes and chunks on demand.
///
/// Only readings at or before a series' newest sealed time get here (replays, redeliveries,
/// late readings), and they come in runs, so the last index and the last chunk's times are
/// cached; nothing else about sealed data is kept in memory. Only a record's time part is
/// decoded, never its values.
final class SealedLookup {
    private var cachedFile: (path: String, file: SegmentFile, series: [String: Int])?
    private var cachedChunk: (path: String, offset: UInt64, times: [Int64])?

    func contains(sensor: String, time: Int64, in segments: [SegmentSummary]) throws -> Bool {
        for seg in segments.reversed() where seg.minTime <= time && time <= seg.maxTime {
            let (file, series) = try open(seg.path)
            guard let k = series[sensor] else { continue }
            for ref in file.index.series[k].chunks where ref.minTime <= time && time <= ref.maxTime {
                let times: [Int64]
                if let c = cachedChunk, c.path == seg.path, c.offset == ref.offset {
                    times = c.times
                } else {
                    times = try file.readSourceTimes(ref)
                    cachedChunk = (seg.path, ref.offset, times)
                }
                if SealedLookup.binarySearch(times, time) { return true }
            }
        }
        return false
    }

    func forget(path: String) {
        if cachedFile?.path == path { cachedFile = nil }
        if cachedChunk?.path == path { cachedChunk = nil }
    }

    private func open(_ path: String) throws -> (SegmentFile, [String: Int]) {
        if let c = cachedFile, c.path == path { return (c.file, c.series) }
        let file = try SegmentFile(path: path)
        var series: [String: Int] = [:]
        for (i, s) in file.index.series.enumerated() { series[s.sensor] = i }
        cachedFile = (path, file, series)
        return (file, series)
    }

    static func binarySearch(_ a: [Int64], _ x: Int64) -> Bool {
        var lo = 0
        var hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo < a.count && a[lo] == x
    }
}
