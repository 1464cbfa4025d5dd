#if canImport(Glibc)
import Glibc
#endif
import TinsenseCore
import TinsenseSystem

/// What `tinsense inspect` reports about a data directory.
public struct DirectoryStats: Sendable {
    public struct Segment: Sendable {
        public var path: String
        public var bytes: UInt64
        public var series: Int
        public var samples: UInt64
        public var minTime: Timestamp
        public var maxTime: Timestamp
        public var checkpoint: WALPosition?
    }

    public var segments: [Segment] = []
    /// Segment files whose index could not be read (see `verify`).
    public var damagedSegments: [DamageReport] = []
    public var seriesCount = 0
    public var samples: UInt64 = 0
    public var minTime: Timestamp?
    public var maxTime: Timestamp?
    /// Bytes of the segment files (the data).
    public var segmentBytes: UInt64 = 0
    public var walFiles = 0
    public var walBytes: UInt64 = 0
    public var quarantineBytes: UInt64 = 0
    /// Every regular file under the directory (apparent size), whatever it is.
    public var totalBytes: UInt64 = 0

    public var segmentBytesPerSample: Double? { samples == 0 ? nil : Double(segmentBytes) / Double(samples) }
    public var totalBytesPerSample: Double? { samples == 0 ? nil : Double(totalBytes) / Double(samples) }
}

extension DataDirectory {
    /// Reads every segment's index (not its chunks) and sizes every file.
    public func inspect() throws -> DirectoryStats {
        var stats = DirectoryStats()
        var series = Set<String>()
        for path in try segmentFiles() {
            do {
                let f = try SegmentFile(path: path)
                let i = f.index
                stats.segments.append(.init(path: path, bytes: f.size, series: i.series.count, samples: i.sampleCount,
                                            minTime: Timestamp(millisecondsSinceEpoch: i.minTime),
                                            maxTime: Timestamp(millisecondsSinceEpoch: i.maxTime), checkpoint: i.checkpoint))
                for s in i.series { series.insert(s.sensor) }
                stats.samples += i.sampleCount
                if i.sampleCount > 0 {
                    let lo = Timestamp(millisecondsSinceEpoch: i.minTime), hi = Timestamp(millisecondsSinceEpoch: i.maxTime)
                    stats.minTime = min(stats.minTime ?? lo, lo)
                    stats.maxTime = max(stats.maxTime ?? hi, hi)
                }
                stats.segmentBytes += f.size
            } catch {
                stats.damagedSegments.append(error as? DamageReport ?? DamageReport(path: path, offset: 0, reason: "\(error)"))
                stats.segmentBytes += DataDirectory.fileSize(path)
            }
        }
        stats.seriesCount = series.count
        if DataDirectory.isDirectory(walPath) {
            for n in try WriteAheadLog.fileNumbers(in: walPath) {
                stats.walFiles += 1
                stats.walBytes += DataDirectory.fileSize(walPath + "/" + WALFormat.fileName(n))
            }
        }
        stats.quarantineBytes = DataDirectory.treeBytes(quarantinePath)
        stats.totalBytes = DataDirectory.treeBytes(path)
        return stats
    }

    static func fileSize(_ path: String) -> UInt64 {
        var st = stat()
        return stat(path, &st) == 0 ? UInt64(st.st_size) : 0
    }

    /// Apparent size of every regular file below `path` (symlinks are not followed).
    static func treeBytes(_ path: String) -> UInt64 {
        guard let names = try? PosixIO.listDirectory(path) else { return 0 }
        var total: UInt64 = 0
        for name in names {
            let p = path + "/" + name
            var st = stat()
            guard lstat(p, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFDIR: total += treeBytes(p)
            case S_IFREG: total += UInt64(st.st_size)
            default: break
            }
        }
        return total
    }
}
