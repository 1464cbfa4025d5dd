import TinsenseCore
import TinsenseEncoding

/// One record of a segment, parsed from a body whose CRC has been checked.
///
/// Body: `varint memberCount | time part | memberCount × member`, member = `varint
/// sharedPrefix | varint suffixLength | suffix | varint valueLength | value part`
/// (docs/FORMAT.md, "Records"). The time part (`ChunkEncoder.encodeTimes`) is stored once
/// for all members: series whose samples have the same source and receive times (the
/// channels of one CSV row, the values of one multi-value payload) share it. Each member's
/// sensor id is front-coded against the previous member's, so a record names its series by
/// itself and a reader without the index still recovers them.
struct SegmentRecord {
    struct Member {
        var sensor: String
        /// Where the member's value part lies in `body`.
        var values: Range<Int>
    }

    /// The checked body bytes.
    let body: [UInt8]
    let sourceTimes: [Int64]
    let receiveTimes: [Int64]
    let members: [Member]

    var sampleCount: Int { sourceTimes.count }

    /// Parses the member table and decodes the shared time part; value parts are decoded on
    /// demand by `columns(member:)`.
    init(body: [UInt8]) throws(ChunkDecodingError) {
        self.body = body
        let parsed: Result<([Int64], [Int64], [Member]), ChunkDecodingError> = body.withUnsafeBytes { p in
            Result { () throws(ChunkDecodingError) in try SegmentRecord.parse(p) }
        }
        (sourceTimes, receiveTimes, members) = try parsed.get()
    }

    private static func parse(_ p: UnsafeRawBufferPointer) throws(ChunkDecodingError) -> ([Int64], [Int64], [Member]) {
        var src = ByteSource(p)
        // Every member takes at least 3 bytes (prefix, suffix length, value length).
        let memberCount = try src.count(limit: p.count / 3)
        guard memberCount >= 1 else { throw .malformed("record without members") }
        let times = try ChunkDecoder.decodeTimes(&src)
        guard !times.source.isEmpty else { throw .malformed("record without samples") }
        var members: [Member] = []
        members.reserveCapacity(memberCount)
        var name: [UInt8] = []
        for _ in 0..<memberCount {
            let shared = try src.count(limit: name.count)
            let suffixLength = try src.count(limit: SegmentFormat.maxSensorBytes - shared)
            let suffix = try src.bytes(suffixLength)
            name.removeSubrange(shared...)
            name.append(contentsOf: suffix)
            let valueLength = try src.count(limit: src.remaining)
            let start = src.position
            _ = try src.bytes(valueLength)
            members.append(Member(sensor: String(decoding: name, as: UTF8.self), values: start..<(start + valueLength)))
        }
        guard src.isAtEnd else { throw .malformed("\(src.remaining) bytes after the last member") }
        return (times.source, times.receive, members)
    }

    /// Decodes one member's value part against the shared times.
    func columns(member: Int) throws(ChunkDecodingError) -> ChunkColumns {
        guard members.indices.contains(member) else { throw .malformed("member \(member) of \(members.count)") }
        let range = members[member].values
        let decoded: Result<ChunkColumns, ChunkDecodingError> = body.withUnsafeBytes { p in
            Result { () throws(ChunkDecodingError) in
                var src = ByteSource(UnsafeRawBufferPointer(rebasing: p[range]))
                let c = try ChunkDecoder.decodeValues(&src, sourceTimes: sourceTimes, receiveTimes: receiveTimes)
                guard src.isAtEnd else { throw .malformed("\(src.remaining) bytes after the value part") }
                guard c.count == sourceTimes.count else { throw .malformed("value part of \(c.count) samples, times of \(sourceTimes.count)") }
                return c
            }
        }
        return try decoded.get()
    }

    /// Appends a whole record (header and body) to `out`; returns its length.
    /// `members` must be non-empty; their names at most `maxSensorBytes` long.
    static func write(timePart: [UInt8], members: [(name: [UInt8], values: [UInt8])], into out: inout [UInt8]) -> Int {
        precondition(!members.isEmpty)
        var body = ByteSink(capacity: timePart.count + members.reduce(16) { $0 + $1.name.count + $1.values.count + 16 })
        body.appendVarint(UInt64(members.count))
        body.append(timePart)
        var previous: [UInt8] = []
        for m in members {
            let shared = commonPrefixLength(previous, m.name)
            body.appendVarint(UInt64(shared))
            body.appendVarint(UInt64(m.name.count - shared))
            m.name[shared...].withUnsafeBytes { body.append($0) }
            body.appendVarint(UInt64(m.values.count))
            body.append(m.values)
            previous = m.name
        }
        return body.withUnsafeBytes { b in
            SegmentFormat.appendLE(UInt32(b.count), to: &out)
            SegmentFormat.appendLE(CRC32C.checksum(b), to: &out)
            out.append(contentsOf: b)
            return SegmentFormat.recordHeaderSize + b.count
        }
    }

    static func commonPrefixLength(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var i = 0
        let n = min(a.count, b.count)
        while i < n, a[i] == b[i] { i += 1 }
        return i
    }
}
