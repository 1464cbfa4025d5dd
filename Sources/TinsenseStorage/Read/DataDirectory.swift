#if canImport(Glibc)
import Glibc
#endif
import TinsenseCore
import TinsenseSystem

/// A tinsense data directory seen from the outside (the CLI, tests, tools): its sealed
/// segments and its WAL, read-only. The head of a running daemon is not readable from here;
/// what it holds is rebuilt from the WAL tail (`walTail(after:)`, and `FreshReadings` in the
/// daemon module, which decodes it the way the daemon does).
public struct DataDirectory: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public var segmentsPath: String { path + "/segments" }
    public var walPath: String { path + "/wal" }
    public var quarantinePath: String { path + "/quarantine" }

    /// Sealed segment files, oldest first (by sequence number). Empty if there are none.
    public func segmentFiles() throws -> [String] {
        guard DataDirectory.isDirectory(segmentsPath) else { return [] }
        return try PosixIO.listDirectory(segmentsPath)
            .compactMap { name in SegmentFormat.sequence(fromFileName: name).map { ($0, name) } }
            .sorted { $0.0 < $1.0 }
            .map { segmentsPath + "/" + $0.1 }
    }

    /// Streams readings from sealed segments, each series in source-time order, series in
    /// byte order of their ids. Memory: the indexes plus one run of overlapping chunks.
    /// Damaged parts are skipped and listed in the cursor's `damage`.
    /// - Parameters:
    ///   - sensor: only series whose id matches (nil = all).
    ///   - from: inclusive lower bound on source time.
    ///   - to: exclusive upper bound on source time.
    ///   - segmentFiles: read exactly these segments (a `SealedState`'s, so the sealed part
    ///     and a WAL tail read against it fit together); nil = the segments there now.
    public func readings(sensor: SensorPattern? = nil, from: Timestamp? = nil, to: Timestamp? = nil, segmentFiles: [String]? = nil) throws -> ReadingCursor {
        try ReadingCursor(directory: self, segmentFiles: segmentFiles, pattern: sensor, from: from?.millisecondsSinceEpoch, to: to?.millisecondsSinceEpoch)
    }

    /// Checks every CRC of every segment and WAL file. Empty means intact.
    public func verify() throws -> [DamageReport] {
        var damage: [DamageReport] = []
        for file in try segmentFiles() {
            damage += SegmentFile.verify(path: file)
        }
        if DataDirectory.isDirectory(walPath) {
            damage += try WriteAheadLog.scan(directory: walPath)
        }
        return damage
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }
}
