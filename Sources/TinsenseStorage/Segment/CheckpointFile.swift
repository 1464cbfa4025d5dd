#if canImport(Glibc)
import Glibc
#endif
import TinsenseCore
import TinsenseSystem

/// `segments/checkpoint`: the WAL checkpoint when no segment can carry it, i.e. when the WAL
/// moved on while the head stayed empty (every message quarantined), or before retention
/// deletes the segment that held the newest checkpoint. 16 bytes: `u32le file | u64le offset
/// | u32le crc32c(first 12 bytes)`, replaced atomically (tmp, fsync, rename, fsync dir).
enum CheckpointFile {
    static let name = "checkpoint"

    static func read(directory: String) -> WALPosition? {
        let path = directory + "/" + name
        guard let fd = try? PosixIO.open(path, flags: O_RDONLY) else { return nil }
        defer { _ = Glibc.close(fd) }
        guard let bytes = try? PosixIO.read(fd, count: 16, at: 0), bytes.count == 16 else { return nil }
        return bytes.withUnsafeBytes { p -> WALPosition? in
            guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: p[0..<12])) == SegmentFormat.readLE(UInt32.self, p, at: 12) else { return nil }
            return WALPosition(file: SegmentFormat.readLE(UInt32.self, p, at: 0), offset: SegmentFormat.readLE(UInt64.self, p, at: 4))
        }
    }

    static func write(_ position: WALPosition, directory: String) throws {
        var bytes: [UInt8] = []
        SegmentFormat.appendLE(position.file, to: &bytes)
        SegmentFormat.appendLE(position.offset, to: &bytes)
        SegmentFormat.appendLE(CRC32C.checksum(bytes), to: &bytes)
        try PosixIO.replaceAtomically(name, in: directory, with: bytes, temporarySuffix: SegmentFormat.temporarySuffix)
    }
}
