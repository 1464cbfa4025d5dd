/// A look at the top level of a protobuf message before it is decoded, so a payload of
/// millions of tiny repeated metrics is refused before millions of `Metric` values exist.
///
/// It only walks tags and lengths (no allocation) and says nothing about validity: the real
/// decoder judges that afterwards.
enum SparkplugWireScan {
    /// Counts field 2 (`Payload.metrics`) entries at the top level, stopping once `limit` is
    /// passed; nil when the bytes do not even frame as protobuf fields.
    static func metricCount(in bytes: [UInt8], stoppingAfter limit: Int) -> Int? {
        var i = 0
        var count = 0
        while i < bytes.count {
            guard let tag = varint(bytes, &i) else { return nil }
            let field = tag >> 3
            switch tag & 7 {
            case 0: guard varint(bytes, &i) != nil else { return nil }
            case 1: guard skip(8, bytes, &i) else { return nil }
            case 5: guard skip(4, bytes, &i) else { return nil }
            case 2:
                guard let length = varint(bytes, &i), length <= UInt64(bytes.count - i) else { return nil }
                i += Int(length)
                if field == 2 {
                    count += 1
                    if count > limit { return count }
                }
            default: return nil
            }
        }
        return count
    }

    private static func skip(_ n: Int, _ bytes: [UInt8], _ i: inout Int) -> Bool {
        guard bytes.count - i >= n else { return false }
        i += n
        return true
    }

    /// A base-128 varint of at most 10 bytes; nil when truncated or overlong.
    private static func varint(_ bytes: [UInt8], _ i: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count, shift < 64 {
            let byte = bytes[i]
            i += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }
}
