import TinsenseCore
import TinsenseSystem

/// How far VictoriaMetrics has acknowledged the spool, kept in `<data>/forward/cursor`:
/// 24 bytes, `u32le file | u64le offset | i64le newest acknowledged receive ms (i64 min =
/// none) | u32le crc32c(first 20 bytes)`, replaced atomically after every acknowledged batch.
///
/// A cursor that is missing or damaged reads as "nothing acknowledged": the whole spool is
/// sent again, which duplicates samples (harmless, docs/FORWARDING.md) and loses none.
struct SpoolCursor: Sendable, Equatable {
    var position: SpoolPosition
    var newestAcknowledged: Timestamp?

    static let fileName = "cursor"

    var bytes: [UInt8] {
        var out: [UInt8] = []
        withUnsafeBytes(of: position.file.littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt64(position.offset).littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: (newestAcknowledged?.millisecondsSinceEpoch ?? Int64.min).littleEndian) { out.append(contentsOf: $0) }
        let crc = CRC32C.checksum(out)
        withUnsafeBytes(of: crc.littleEndian) { out.append(contentsOf: $0) }
        return out
    }

    init(position: SpoolPosition, newestAcknowledged: Timestamp?) {
        self.position = position
        self.newestAcknowledged = newestAcknowledged
    }

    /// Parses a cursor file's bytes; nil when they are not a whole, CRC-valid cursor.
    init?(bytes b: [UInt8]) {
        guard b.count == 24, CRC32C.checksum(b[0..<20]) == SpoolCursor.u64(b, 20, 4) else { return nil }
        let file = UInt32(SpoolCursor.u64(b, 0, 4)), offset = SpoolCursor.u64(b, 4, 8)
        let acked = Int64(bitPattern: UInt64(SpoolCursor.u64(b, 12, 8)))
        guard offset >= UInt64(SpoolFormat.headerSize), offset <= UInt64(Int.max) else { return nil }
        position = SpoolPosition(file: file, offset: Int(offset))
        newestAcknowledged = acked == Int64.min ? nil : Timestamp(millisecondsSinceEpoch: acked)
    }

    private static func u64(_ b: [UInt8], _ at: Int, _ n: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<n { v |= UInt64(b[at + i]) << (8 * i) }
        return v
    }

    /// The cursor in `directory`, or nil (none yet, or damaged).
    static func load(directory: String) -> SpoolCursor? {
        guard let fd = try? PosixIO.open(directory + "/" + fileName, flags: 0) else { return nil }
        defer { PosixIO.close(fd) }
        guard let b = try? PosixIO.read(fd, count: 64, at: 0) else { return nil }
        return SpoolCursor(bytes: b)
    }

    func save(directory: String) throws {
        try PosixIO.replaceAtomically(SpoolCursor.fileName, in: directory, with: bytes)
    }
}
