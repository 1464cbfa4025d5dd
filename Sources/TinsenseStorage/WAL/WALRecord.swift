import TinsenseCore

/// One raw MQTT message as it was received, before any decoding: what the WAL keeps so that
/// a restart can run the message through the pipeline again, and recognise a message the
/// broker sends a second time (a retained value after a reconnect, an unacknowledged QoS 1
/// message after a crash).
public struct WALRecord: Sendable, Equatable {
    public var receiveTime: Timestamp
    public var qos: UInt8
    public var topic: [UInt8]
    /// The payload, or only its first bytes when `isTruncated`.
    public var payload: [UInt8]
    /// The MQTT retain flag as delivered: true only for a stored value the broker sends on
    /// subscribe, never for a message forwarded live.
    public var retained: Bool
    /// The MQTT packet identifier (0 for QoS 0); a broker resends an unacknowledged message
    /// with the same one (MQTT 3.1.1 §4.4).
    public var packetID: UInt16
    /// Which broker connection delivered the message: equal for messages of one connection,
    /// different across reconnects and daemon runs (a redelivery always comes on a new one).
    public var connection: UInt32
    /// The payload's size as received; larger than `payload.count` when only a prefix is kept.
    public var payloadBytes: Int

    public init(
        receiveTime: Timestamp, qos: UInt8, topic: [UInt8], payload: [UInt8],
        retained: Bool = false, packetID: UInt16 = 0, connection: UInt32 = 0, payloadBytes: Int? = nil
    ) {
        self.receiveTime = receiveTime
        self.qos = qos
        self.topic = topic
        self.payload = payload
        self.retained = retained
        self.packetID = packetID
        self.connection = connection
        self.payloadBytes = payloadBytes ?? payload.count
    }

    public var topicString: String { String(decoding: topic, as: UTF8.self) }

    /// A record with nothing in it, for `WALReader.next(into:)` to fill.
    public static var empty: WALRecord { WALRecord(receiveTime: Timestamp(millisecondsSinceEpoch: 0), qos: 0, topic: [], payload: []) }

    /// True when the message was larger than the WAL keeps (`max_payload_bytes`): only a
    /// prefix is recorded, and the message is quarantined as `too_large`.
    public var isTruncated: Bool { payloadBytes > payload.count }
}

/// How a message arrived, beyond its bytes: what `WriteAheadLog.append` records with it.
public struct WALDelivery: Sendable, Equatable {
    public var receiveTime: Timestamp
    public var qos: UInt8
    public var retained: Bool
    public var packetID: UInt16
    public var connection: UInt32
    /// The payload's full size; the appended payload may be a prefix of it.
    public var payloadBytes: Int

    public init(receiveTime: Timestamp, qos: UInt8, retained: Bool = false, packetID: UInt16 = 0, connection: UInt32 = 0, payloadBytes: Int) {
        self.receiveTime = receiveTime
        self.qos = qos
        self.retained = retained
        self.packetID = packetID
        self.connection = connection
        self.payloadBytes = payloadBytes
    }
}

/// The byte layout of WAL files and records (specified in docs/FORMAT.md).
///
/// File: an 8-byte header `TSWAL` `\0` `\0` `version`, then records. Version 2 files are
/// written now; version 1 files (from older daemons) are still read.
/// Record: `u32le bodyLength | u32le crc32c(body) | body`, where the body is of kind
/// 1 = `u8 kind | i64le receive ms | u8 qos | u16le topicLength | topic | payload` (version 1) or
/// 2 = `u8 kind | i64le receive ms | u8 qos | u8 flags | u16le packetID | u32le connection |
/// u32le payloadBytes | u16le topicLength | topic | payload` (version 2; flags bit 0 = retained).
public enum WALFormat {
    /// The header of files written now (version 2).
    public static let fileMagic: [UInt8] = [0x54, 0x53, 0x57, 0x41, 0x4C, 0x00, 0x00, 0x02]
    /// The header of version 1 files, still read.
    public static let fileMagicVersion1: [UInt8] = [0x54, 0x53, 0x57, 0x41, 0x4C, 0x00, 0x00, 0x01]
    public static let recordHeaderSize = 8
    /// The smallest body of any kind (kind 1 with an empty topic and payload).
    public static let bodyFixedSize = 1 + 8 + 1 + 2
    /// The fixed part of a kind 2 body, before the topic.
    public static let bodyFixedSizeKind2 = 1 + 8 + 1 + 1 + 2 + 4 + 4 + 2
    public static let kindMQTTMessage: UInt8 = 1
    public static let kindMQTTDelivery: UInt8 = 2
    /// Upper bound on one record's body; larger lengths read back are treated as damage.
    public static let maxBodySize = 16 << 20
    /// The largest payload a record can always take, whatever the topic (≤ 65,535 bytes).
    public static let maxPayloadBytes = maxBodySize - bodyFixedSizeKind2 - Int(UInt16.max)
    public static let fileExtension = "wal"

    static func isKnownHeader(_ bytes: [UInt8]) -> Bool { bytes == fileMagic || bytes == fileMagicVersion1 }

    static func fileName(_ number: UInt32) -> String {
        let n = String(number)
        return String(repeating: "0", count: max(0, 8 - n.count)) + n + "." + fileExtension
    }

    static func fileNumber(_ name: String) -> UInt32? {
        guard name.hasSuffix("." + fileExtension) else { return nil }
        return UInt32(name.dropLast(fileExtension.count + 1))
    }

    /// Encodes a whole kind 2 record (header + body) into `out`, replacing what it held.
    static func encode(_ d: WALDelivery, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        append(d, topic: topic, payload: payload, to: &out)
    }

    /// Appends a whole kind 2 record (header + body) to `out`.
    static func append(_ d: WALDelivery, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let start = out.count
        let bodyLength = bodyFixedSizeKind2 + topic.count + payload.count
        out.reserveCapacity(start + recordHeaderSize + bodyLength)
        appendLE(UInt32(bodyLength), to: &out)
        appendLE(UInt32(0), to: &out)
        out.append(kindMQTTDelivery)
        appendLE(UInt64(bitPattern: d.receiveTime.millisecondsSinceEpoch), to: &out)
        out.append(d.qos)
        out.append(d.retained ? 1 : 0)
        appendLE(d.packetID, to: &out)
        appendLE(d.connection, to: &out)
        appendLE(UInt32(clamping: d.payloadBytes), to: &out)
        appendLE(UInt16(topic.count), to: &out)
        out.append(contentsOf: topic)
        out.append(contentsOf: payload)
        let crc = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[(start + recordHeaderSize)...])) }
        out[start + 4] = UInt8(truncatingIfNeeded: crc)
        out[start + 5] = UInt8(truncatingIfNeeded: crc >> 8)
        out[start + 6] = UInt8(truncatingIfNeeded: crc >> 16)
        out[start + 7] = UInt8(truncatingIfNeeded: crc >> 24)
    }

    /// Throws `WALError.recordTooLarge` when a record of this topic and payload cannot be
    /// written (no retry cures it: keep a prefix of the payload instead).
    static func checkFits(_ d: WALDelivery, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) throws {
        guard topic.count <= Int(UInt16.max), bodyFixedSizeKind2 + topic.count + payload.count <= maxBodySize,
              payload.count <= d.payloadBytes else {
            throw WALError.recordTooLarge(topic.count + payload.count)
        }
    }

    /// Decodes a body whose CRC has been checked; nil when its kind is unknown or its inner
    /// lengths are inconsistent.
    static func decodeBody(_ body: UnsafeRawBufferPointer) -> WALRecord? {
        var record = WALRecord.empty
        return decodeBody(body, into: &record) ? record : nil
    }

    /// `decodeBody` into `record`, every field replaced, its topic and payload arrays reused
    /// (no allocation while they are uniquely held and large enough): what a reader of many
    /// records does. False, with `record` unspecified, where `decodeBody` gives nil.
    static func decodeBody(_ body: UnsafeRawBufferPointer, into record: inout WALRecord) -> Bool {
        guard body.count >= bodyFixedSize else { return false }
        let ms = Int64(bitPattern: readLE(UInt64.self, body, at: 1))
        let qos = body[9]
        let topicStart: Int, topicLength: Int
        switch body[0] {
        case kindMQTTMessage:
            topicStart = bodyFixedSize
            topicLength = Int(readLE(UInt16.self, body, at: 10))
            guard topicStart + topicLength <= body.count else { return false }
            record.retained = false
            record.packetID = 0
            record.connection = 0
            record.payloadBytes = body.count - topicStart - topicLength
        case kindMQTTDelivery:
            guard body.count >= bodyFixedSizeKind2 else { return false }
            let flags = body[10]
            let payloadBytes = Int(readLE(UInt32.self, body, at: 17))
            topicStart = bodyFixedSizeKind2
            topicLength = Int(readLE(UInt16.self, body, at: 21))
            guard flags & ~1 == 0, topicStart + topicLength <= body.count,
                  payloadBytes >= body.count - topicStart - topicLength else { return false }
            record.retained = flags & 1 != 0
            record.packetID = readLE(UInt16.self, body, at: 11)
            record.connection = readLE(UInt32.self, body, at: 13)
            record.payloadBytes = payloadBytes
        default:
            return false
        }
        record.receiveTime = Timestamp(millisecondsSinceEpoch: ms)
        record.qos = qos
        record.topic.removeAll(keepingCapacity: true)
        record.topic.append(contentsOf: UnsafeRawBufferPointer(rebasing: body[topicStart..<(topicStart + topicLength)]))
        record.payload.removeAll(keepingCapacity: true)
        record.payload.append(contentsOf: UnsafeRawBufferPointer(rebasing: body[(topicStart + topicLength)...]))
        return true
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
