#if canImport(Glibc)
import Glibc
#endif
import TinsenseCore
import TinsenseSystem

/// `segments/deliveries`: the `DeliveryLedger` as of a checkpoint, written before the WAL
/// files behind that checkpoint are deleted, so that a restart still recognises a message
/// the broker resends after they are gone. Replaced atomically (tmp, fsync, rename, fsync dir);
/// the layout is in docs/FORMAT.md. A missing or damaged file costs only recognition (a
/// resend may be stored once more), never a reading.
public enum DeliveryLedgerFile {
    public static let name = "deliveries"
    static let magic: [UInt8] = [0x54, 0x53, 0x44, 0x4C, 0x56, 0x00, 0x00, 0x01]

    /// The ledger and the checkpoint it was written at, or nil when absent or damaged.
    public static func read(directory: String, window: Int, maxTopics: Int) -> (ledger: DeliveryLedger, at: WALPosition)? {
        let path = directory + "/" + name
        guard let fd = try? PosixIO.open(path, flags: O_RDONLY) else { return nil }
        defer { _ = Glibc.close(fd) }
        guard let size = try? PosixIO.fileSize(fd), size >= 40, size < 1 << 30,
              let bytes = try? PosixIO.read(fd, count: Int(size), at: 0), bytes.count == Int(size) else { return nil }
        return bytes.withUnsafeBytes { p in decode(p, window: window, maxTopics: maxTopics) }
    }

    static func decode(_ p: UnsafeRawBufferPointer, window: Int, maxTopics: Int) -> (ledger: DeliveryLedger, at: WALPosition)? {
        let n = p.count
        guard Array(p[0..<8]) == magic,
              CRC32C.checksum(UnsafeRawBufferPointer(rebasing: p[0..<(n - 4)])) == WALFormat.readLE(UInt32.self, p, at: n - 4) else { return nil }
        var o = 8
        func take<T: FixedWidthInteger>(_: T.Type) -> T? {
            guard o + MemoryLayout<T>.size <= n - 4 else { return nil }
            defer { o += MemoryLayout<T>.size }
            return WALFormat.readLE(T.self, p, at: o)
        }
        guard let file = take(UInt32.self), let offset = take(UInt64.self),
              let hasConnection = take(UInt8.self), let connection = take(UInt32.self), let since = take(UInt32.self),
              let recentCount = take(UInt32.self) else { return nil }
        var recent: [DeliveryLedger.Recent] = []
        for _ in 0..<recentCount {
            guard let id = take(UInt16.self), let c = take(UInt32.self), let d = take(UInt64.self) else { return nil }
            recent.append(.init(packetID: id, connection: c, digest: d))
        }
        guard let topicCount = take(UInt32.self) else { return nil }
        var topics: [([UInt8], DeliveryLedger.LastOnTopic)] = []
        for _ in 0..<topicCount {
            guard let length = take(UInt16.self), o + Int(length) <= n - 4 else { return nil }
            let topic = Array(p[o..<(o + Int(length))])
            o += Int(length)
            guard let crc = take(UInt32.self), let bytes = take(UInt32.self) else { return nil }
            topics.append((topic, .init(payloadCRC: crc, payloadBytes: bytes)))
        }
        guard o == n - 4 else { return nil }
        let ledger = DeliveryLedger(
            window: window, maxTopics: maxTopics, recent: recent,
            connection: hasConnection == 1 ? connection : nil, sinceConnectionStart: Int(since), topics: topics
        )
        return (ledger, WALPosition(file: file, offset: offset))
    }

    static func encode(_ ledger: DeliveryLedger, at position: WALPosition) -> [UInt8] {
        var out = magic
        WALFormat.appendLE(position.file, to: &out)
        WALFormat.appendLE(position.offset, to: &out)
        out.append(ledger.connection == nil ? 0 : 1)
        WALFormat.appendLE(ledger.connection ?? 0, to: &out)
        WALFormat.appendLE(UInt32(clamping: ledger.sinceConnectionStart), to: &out)
        let recent = ledger.recentInOrder
        WALFormat.appendLE(UInt32(recent.count), to: &out)
        for r in recent {
            WALFormat.appendLE(r.packetID, to: &out)
            WALFormat.appendLE(r.connection, to: &out)
            WALFormat.appendLE(r.digest, to: &out)
        }
        let topics = ledger.topicsInOrder
        WALFormat.appendLE(UInt32(topics.count), to: &out)
        for t in topics {
            let last = ledger.lastOnTopic[DeliveryLedger.TopicKey(t)]!
            WALFormat.appendLE(UInt16(t.count), to: &out)
            out.append(contentsOf: t)
            WALFormat.appendLE(last.payloadCRC, to: &out)
            WALFormat.appendLE(last.payloadBytes, to: &out)
        }
        WALFormat.appendLE(CRC32C.checksum(out), to: &out)
        return out
    }

    /// Replaces the file atomically with `ledger` as of `position`.
    public static func write(_ ledger: DeliveryLedger, at position: WALPosition, directory: String) throws {
        try PosixIO.replaceAtomically(name, in: directory, with: encode(ledger, at: position))
    }
}
