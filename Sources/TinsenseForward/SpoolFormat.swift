import TinsenseCore

/// The byte layout of spool files (`<data>/forward/NNNNNNNN.spool`, specified in
/// docs/FORMAT.md, "Forward spool").
///
/// File: an 8-byte header `TSFWD` `\0` `\0` `01`, then records framed like WAL records:
/// `u32le bodyLength | u32le crc32c(body) | body`. Body (kind 1, a stored reading):
/// `u8 kind | i64le source ms | i64le receive ms | i64le mantissa | u8 scale | u8 quality |
/// u8 flags | u16le sensorLength | sensor | u8 hasUnit | [u16le unitLength | unit]`.
/// The first record that is short or fails its CRC or its inner lengths ends what is
/// trusted in that file (a torn tail after a power loss).
enum SpoolFormat {
    static let fileMagic: [UInt8] = [0x54, 0x53, 0x46, 0x57, 0x44, 0x00, 0x00, 0x01]
    static let headerSize = 8
    static let recordHeaderSize = 8
    static let kindReading: UInt8 = 1
    /// kind … sensorLength, with an empty sensor and no unit.
    static let minBodySize = 1 + 8 + 8 + 8 + 1 + 1 + 1 + 2 + 1
    /// A sensor id and a unit of 65,535 bytes each, with room to spare.
    static let maxBodySize = minBodySize + 2 + 2 * 65_535

    /// `NNNNNNNN.spool`, the number zero-padded to 8 digits.
    static func fileName(_ number: UInt32) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits + ".spool"
    }

    /// The number of a spool file name, or nil for any other name.
    static func number(fromFileName name: String) -> UInt32? {
        guard name.hasSuffix(".spool"), name.utf8.count == 14 else { return nil }
        let digits = name.prefix(8)
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt32(digits)
    }

    /// Appends the framed record of `r` to `out`; nil when the sensor id or unit is longer
    /// than a record can carry (storage refuses those before they are stored).
    static func appendRecord(_ r: Reading, to out: inout [UInt8]) -> Bool {
        let sensor = r.sensor.utf8, unit = r.unit?.utf8
        guard sensor.count <= 65_535, (unit?.count ?? 0) <= 65_535 else { return false }
        let bodyLength = minBodySize + sensor.count + (unit.map { 2 + $0.count } ?? 0)
        let start = out.count
        put(UInt32(bodyLength), &out)
        put(UInt32(0), &out)
        let bodyStart = out.count
        out.append(kindReading)
        put(UInt64(bitPattern: r.sourceTime.millisecondsSinceEpoch), &out)
        put(UInt64(bitPattern: r.receiveTime.millisecondsSinceEpoch), &out)
        put(UInt64(bitPattern: r.value.mantissa), &out)
        out.append(r.value.scale)
        out.append(r.quality.rawValue)
        out.append(r.flags.rawValue)
        put(UInt16(sensor.count), &out)
        out.append(contentsOf: sensor)
        if let unit {
            out.append(1)
            put(UInt16(unit.count), &out)
            out.append(contentsOf: unit)
        } else {
            out.append(0)
        }
        let crc = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[bodyStart...])) }
        withUnsafeBytes(of: crc.littleEndian) { b in
            for i in 0..<4 { out[start + 4 + i] = b[i] }
        }
        return true
    }

    /// What `decode` found at an offset of a buffer.
    enum Decoded {
        /// A valid record and the size it takes (header included).
        case reading(Reading, size: Int)
        /// Not enough bytes for a whole record: the end of what was written, or a torn tail.
        case incomplete
        /// Bytes that are no valid record (a bad length, CRC or inner length).
        case damaged(String)
    }

    /// Decodes the record starting at `offset` of `bytes`.
    static func decode(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Decoded {
        guard bytes.count - offset >= recordHeaderSize else { return .incomplete }
        let length = Int(u32(bytes, offset)), crc = u32(bytes, offset + 4)
        guard length >= minBodySize, length <= maxBodySize else { return .damaged("record length \(length) out of range") }
        guard bytes.count - offset - recordHeaderSize >= length else { return .incomplete }
        let b = offset + recordHeaderSize
        let body = UnsafeRawBufferPointer(rebasing: bytes[b..<(b + length)])
        guard CRC32C.checksum(body) == crc else { return .damaged("CRC mismatch") }
        guard body[0] == kindReading else { return .damaged("unknown record kind \(body[0])") }
        let source = Int64(bitPattern: u64(body, 1)), receive = Int64(bitPattern: u64(body, 9))
        let mantissa = Int64(bitPattern: u64(body, 17))
        let scale = body[25]
        guard let quality = Quality(rawValue: body[26]) else { return .damaged("quality code \(body[26])") }
        let flags = ReadingFlags(rawValue: body[27])
        let sensorLength = Int(u16(body, 28))
        guard 30 + sensorLength + 1 <= length else { return .damaged("sensor length \(sensorLength) past the record") }
        let sensor = String(decoding: UnsafeRawBufferPointer(rebasing: body[30..<(30 + sensorLength)]), as: UTF8.self)
        var p = 30 + sensorLength
        var unit: String?
        switch body[p] {
        case 0:
            guard p + 1 == length else { return .damaged("bytes after the record") }
        case 1:
            guard p + 3 <= length else { return .damaged("unit length past the record") }
            let unitLength = Int(u16(body, p + 1))
            p += 3
            guard p + unitLength == length else { return .damaged("unit length \(unitLength) does not fit the record") }
            unit = String(decoding: UnsafeRawBufferPointer(rebasing: body[p..<(p + unitLength)]), as: UTF8.self)
        default:
            return .damaged("unit marker \(body[p])")
        }
        let reading = Reading(
            sensor: sensor, sourceTime: Timestamp(millisecondsSinceEpoch: source), receiveTime: Timestamp(millisecondsSinceEpoch: receive),
            value: DecimalValue(mantissa: mantissa, scale: scale), unit: unit, quality: quality, flags: flags
        )
        return .reading(reading, size: recordHeaderSize + length)
    }

    private static func put<T: FixedWidthInteger>(_ v: T, _ out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func u16(_ p: UnsafeRawBufferPointer, _ at: Int) -> UInt16 {
        UInt16(p[at]) | UInt16(p[at + 1]) << 8
    }

    private static func u32(_ p: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(p[at + i]) << (8 * i) }
        return v
    }

    private static func u64(_ p: UnsafeRawBufferPointer, _ at: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(p[at + i]) << (8 * i) }
        return v
    }
}
