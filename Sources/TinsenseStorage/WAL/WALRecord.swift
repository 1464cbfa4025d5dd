import TinsenseCore

/// One raw MQTT message as it was received, before any decoding: what the WAL keeps so that
/// a restart can run the message through the pipeline again.
public struct WALRecord: Sendable, Equatable {
    public var receiveTime: Timestamp
    public var qos: UInt8
    public var topic: [UInt8]
    public var payload: [UInt8]

    public init(receiveTime: Timestamp, qos: UInt8, topic: [UInt8], payload: [UInt8]) {
        self.receiveTime = receiveTime
        self.qos = qos
        self.topic = topic
        self.payload = payload
    }

    public var topicString: String { String(decoding: topic, as: UTF8.self) }
}

/// The byte layout of WAL files and records (specified in docs/FORMAT.md).
///
/// File: an 8-byte header `TSWAL` `\0` `\0` `\x01` (magic + format version 1), then records.
/// Record: `u32le bodyLength | u32le crc32c(body) | body`, where
/// body = `u8 kind (1 = MQTT message) | i64le receive ms | u8 qos | u16le topicLength | topic | payload`.
public enum WALFormat {
    public static let fileMagic: [UInt8] = [0x54, 0x53, 0x57, 0x41, 0x4C, 0x00, 0x00, 0x01]
    public static let recordHeaderSize = 8
    public static let bodyFixedSize = 1 + 8 + 1 + 2
    public static let kindMQTTMessage: UInt8 = 1
    /// Upper bound on one record's body; larger lengths read back are treated as damage.
    public static let maxBodySize = 16 << 20
    public static let fileExtension = "wal"

    static func fileName(_ number: UInt32) -> String {
        let n = String(number)
        return String(repeating: "0", count: max(0, 8 - n.count)) + n + "." + fileExtension
    }

    static func fileNumber(_ name: String) -> UInt32? {
        guard name.hasSuffix("." + fileExtension) else { return nil }
        return UInt32(name.dropLast(fileExtension.count + 1))
    }

    /// Encodes a whole record (header + body) into `out`.
    static func encode(receiveTime: Timestamp, qos: UInt8, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        let bodyLength = bodyFixedSize + topic.count + payload.count
        out.reserveCapacity(recordHeaderSize + bodyLength)
        appendLE(UInt32(bodyLength), to: &out)
        appendLE(UInt32(0), to: &out)
        out.append(kindMQTTMessage)
        appendLE(UInt64(bitPattern: receiveTime.millisecondsSinceEpoch), to: &out)
        out.append(qos)
        appendLE(UInt16(topic.count), to: &out)
        out.append(contentsOf: topic)
        out.append(contentsOf: payload)
        let crc = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[recordHeaderSize...])) }
        out[4] = UInt8(truncatingIfNeeded: crc)
        out[5] = UInt8(truncatingIfNeeded: crc >> 8)
        out[6] = UInt8(truncatingIfNeeded: crc >> 16)
        out[7] = UInt8(truncatingIfNeeded: crc >> 24)
    }

    /// Decodes a body whose CRC has been checked; nil when its inner lengths are inconsistent.
    static func decodeBody(_ body: UnsafeRawBufferPointer) -> WALRecord? {
        guard body.count >= bodyFixedSize, body[0] == kindMQTTMessage else { return nil }
        let ms = Int64(bitPattern: readLE(UInt64.self, body, at: 1))
        let qos = body[9]
        let topicLength = Int(readLE(UInt16.self, body, at: 10))
        guard bodyFixedSize + topicLength <= body.count else { return nil }
        let topic = Array(body[bodyFixedSize..<(bodyFixedSize + topicLength)])
        let payload = Array(body[(bodyFixedSize + topicLength)...])
        return WALRecord(receiveTime: Timestamp(millisecondsSinceEpoch: ms), qos: qos, topic: topic, payload: payload)
    }

    static func appendLE<T: FixedWidthInteger>(_ v: T, to out: inout [UInt8]) {
        var x = v.littleEndian
        withUnsafeBytes(of: &x) { out.append(contentsOf: $0) }
    }

    static func readLE<T: FixedWidthInteger>(_: T.Type, _ p: UnsafeRawBufferPointer, at offset: Int) -> T {
        var v: T = 0
        withUnsafeMutableBytes(of: &v) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: p[offset..<(offset + MemoryLayout<T>.size)]))
        }
        return T(littleEndian: v)
    }
}
