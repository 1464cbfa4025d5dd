#if canImport(Glibc)
import Glibc
#endif
import TinsenseCore
import TinsenseEncoding
import TinsenseSystem

/// Reads the records of one segment file by offset with `pread`, checking each record's CRC
/// before parsing it. The last parsed record is kept: the members of a record (series that
/// share its time part) are usually read one after another.
final class RecordReader {
    let path: String
    private let fd: Int32
    private var cached: (offset: UInt64, length: UInt32, record: SegmentRecord)?

    init(path: String) throws {
        self.path = path
        fd = try PosixIO.open(path, flags: O_RDONLY)
    }

    deinit { _ = Glibc.close(fd) }

    func fileSize() throws -> UInt64 { try PosixIO.fileSize(fd) }

    /// Up to `count` bytes at `offset` (fewer at the end of the file).
    func read(count: Int, at offset: UInt64) throws -> [UInt8] { try PosixIO.read(fd, count: count, at: offset) }

    /// The record at `offset`, which must end by `limit`; `expectedLength` (from the index,
    /// header included) must match the record's own length when given.
    func record(at offset: UInt64, limit: UInt64, expectedLength: UInt32?) throws -> (record: SegmentRecord, length: UInt32) {
        if let c = cached, c.offset == offset, expectedLength == nil || expectedLength == c.length {
            return (c.record, c.length)
        }
        let header = try PosixIO.read(fd, count: SegmentFormat.recordHeaderSize, at: offset)
        guard header.count == SegmentFormat.recordHeaderSize else {
            throw DamageReport(path: path, offset: offset, reason: "truncated record header")
        }
        let (length, crc) = header.withUnsafeBytes { (SegmentFormat.readLE(UInt32.self, $0, at: 0), SegmentFormat.readLE(UInt32.self, $0, at: 4)) }
        let total = UInt64(SegmentFormat.recordHeaderSize) + UInt64(length)
        guard Int(length) <= SegmentFormat.maxRecordBytes, length >= 1, offset + total <= limit else {
            throw DamageReport(path: path, offset: offset, reason: "implausible record length \(length)")
        }
        if let expectedLength, UInt64(expectedLength) != total {
            throw DamageReport(path: path, offset: offset, reason: "record length \(total) differs from the index (\(expectedLength))")
        }
        let body = try PosixIO.read(fd, count: Int(length), at: offset + UInt64(SegmentFormat.recordHeaderSize))
        guard body.count == Int(length), CRC32C.checksum(body) == crc else {
            throw DamageReport(path: path, offset: offset, reason: "record checksum mismatch")
        }
        let record: SegmentRecord
        do {
            record = try SegmentRecord(body: body)
        } catch {
            throw DamageReport(path: path, offset: offset, reason: "record does not decode: \(error)")
        }
        cached = (offset, UInt32(total), record)
        return (record, UInt32(total))
    }

    /// Decodes the member `ref` points at: its sensor (from the record) and its samples.
    func chunk(_ ref: SegmentChunkRef, limit: UInt64) throws -> (sensor: String, columns: ChunkColumns) {
        let (record, _) = try record(at: ref.offset, limit: limit, expectedLength: ref.length)
        let m = Int(ref.member)
        guard m < record.members.count else {
            throw DamageReport(path: path, offset: ref.offset, reason: "record has \(record.members.count) members, index wants member \(m)")
        }
        do {
            return (record.members[m].sensor, try record.columns(member: m))
        } catch {
            throw DamageReport(path: path, offset: ref.offset, reason: "member \(m) (\(record.members[m].sensor)) does not decode: \(error)")
        }
    }
}

/// A sealed segment opened for reading: its index is loaded and checked; records are read
/// on demand with `pread` and checked against their CRC before decoding.
public final class SegmentFile {
    public let path: String
    public let size: UInt64
    public let index: SegmentIndex
    /// Where the index starts: the records fill `8 ..< indexOffset` exactly.
    public let indexOffset: UInt64
    private let reader: RecordReader

    /// Opens and checks header, footer and index. Throws `DamageReport` for a damaged file.
    public init(path: String) throws {
        self.path = path
        reader = try RecordReader(path: path)
        size = try reader.fileSize()
        (index, indexOffset) = try SegmentFile.readIndex(reader: reader, path: path, size: size)
    }

    static func readIndex(reader: RecordReader, path: String, size: UInt64) throws -> (SegmentIndex, UInt64) {
        let minimum = UInt64(SegmentFormat.headerSize + SegmentFormat.footerSize)
        guard size >= minimum else {
            throw DamageReport(path: path, offset: 0, reason: "file of \(size) bytes is shorter than header and footer")
        }
        let header = try reader.read(count: SegmentFormat.headerSize, at: 0)
        guard header == SegmentFormat.headerMagic else {
            throw DamageReport(path: path, offset: 0, reason: "bad header (not a tinsense segment or unsupported version)")
        }
        let footerOffset = size - UInt64(SegmentFormat.footerSize)
        let footer = try reader.read(count: SegmentFormat.footerSize, at: footerOffset)
        guard footer.count == SegmentFormat.footerSize, Array(footer[16..<24]) == SegmentFormat.footerMagic else {
            throw DamageReport(path: path, offset: footerOffset, reason: "bad footer magic (incomplete or damaged segment)")
        }
        let (indexOffset, indexLength, indexCRC) = footer.withUnsafeBytes { p in
            (SegmentFormat.readLE(UInt64.self, p, at: 0), SegmentFormat.readLE(UInt32.self, p, at: 8), SegmentFormat.readLE(UInt32.self, p, at: 12))
        }
        guard indexOffset >= UInt64(SegmentFormat.headerSize), Int(indexLength) <= SegmentFormat.maxIndexBytes,
              indexOffset <= footerOffset, footerOffset - indexOffset == UInt64(indexLength) else {
            throw DamageReport(path: path, offset: footerOffset, reason: "footer points outside the file (index at \(indexOffset), \(indexLength) bytes)")
        }
        let indexBytes = try reader.read(count: Int(indexLength), at: indexOffset)
        guard indexBytes.count == Int(indexLength), CRC32C.checksum(indexBytes) == indexCRC else {
            throw DamageReport(path: path, offset: indexOffset, reason: "index checksum mismatch")
        }
        let decoded: Result<SegmentIndex, ChunkDecodingError> = indexBytes.withUnsafeBytes { p in
            Result { () throws(ChunkDecodingError) in try SegmentIndex.decode(p, recordsEnd: indexOffset) }
        }
        switch decoded {
        case .success(let index): return (index, indexOffset)
        case .failure(let e): throw DamageReport(path: path, offset: indexOffset, reason: "index is inconsistent: \(e)")
        }
    }

    /// Reads, checks and decodes one chunk: the sensor named in its record and its samples.
    public func readChunk(_ ref: SegmentChunkRef) throws -> (sensor: String, columns: ChunkColumns) {
        try reader.chunk(ref, limit: indexOffset)
    }

    /// The source times of a chunk (its record's time part; no value part is decoded).
    func readSourceTimes(_ ref: SegmentChunkRef) throws -> [Int64] {
        try reader.record(at: ref.offset, limit: indexOffset, expectedLength: ref.length).record.sourceTimes
    }

    /// Recovers what it can from a segment whose index is damaged: records are
    /// self-describing (they name their members), so they are read in order from the header.
    /// A record that fails its checks is reported and stepped over by its stated length
    /// when that stays inside the file (anything found after it must pass its own CRC);
    /// otherwise the scan stops there. The scan ends at the index when the footer still
    /// locates it, else at the end of the file. Every member of a returned record decodes.
    public static func salvage(path: String) -> (chunks: [(sensor: String, ref: SegmentChunkRef)], damage: [DamageReport]) {
        let reader: RecordReader
        do { reader = try RecordReader(path: path) } catch {
            return ([], [DamageReport(path: path, offset: 0, reason: "cannot open: \(error)")])
        }
        var found: [(String, SegmentChunkRef)] = []
        var damage: [DamageReport] = []
        var offset = UInt64(SegmentFormat.headerSize)
        do {
            let size = try reader.fileSize()
            let header = try reader.read(count: SegmentFormat.headerSize, at: 0)
            guard header == SegmentFormat.headerMagic else {
                return ([], [DamageReport(path: path, offset: 0, reason: "bad header; nothing salvaged")])
            }
            // The index's offset, when the footer still gives a plausible one: the normal end
            // of the records. A damaged footer just means scanning on to the end of the file.
            var indexOffset: UInt64?
            if size >= UInt64(SegmentFormat.headerSize + SegmentFormat.footerSize) {
                let footer = try reader.read(count: SegmentFormat.footerSize, at: size - UInt64(SegmentFormat.footerSize))
                if footer.count == SegmentFormat.footerSize, Array(footer[16..<24]) == SegmentFormat.footerMagic {
                    let o = footer.withUnsafeBytes { SegmentFormat.readLE(UInt64.self, $0, at: 0) }
                    if o >= offset, o <= size - UInt64(SegmentFormat.footerSize) { indexOffset = o }
                }
            }
            let end = size
            while offset + UInt64(SegmentFormat.recordHeaderSize) <= end, offset != indexOffset {
                do {
                    let (record, length) = try reader.record(at: offset, limit: end, expectedLength: nil)
                    let ref = SegmentRecordRef(offset: offset, length: length, memberCount: UInt32(record.members.count),
                                               sampleCount: UInt32(record.sampleCount),
                                               minTime: record.sourceTimes.first!, maxTime: record.sourceTimes.last!)
                    for m in record.members.indices {
                        do {
                            _ = try record.columns(member: m)
                        } catch {
                            throw DamageReport(path: path, offset: offset, reason: "member \(m) (\(record.members[m].sensor)) does not decode: \(error)")
                        }
                    }
                    found += record.members.enumerated().map { m, member in (member.sensor, SegmentChunkRef(ref, member: UInt32(m))) }
                    offset += UInt64(length)
                } catch let d as DamageReport {
                    damage.append(d)
                    let stated = try reader.read(count: 4, at: offset)
                    guard stated.count == 4 else { break }
                    let length = stated.withUnsafeBytes { SegmentFormat.readLE(UInt32.self, $0, at: 0) }
                    let next = offset + UInt64(SegmentFormat.recordHeaderSize) + UInt64(length)
                    guard length >= 1, next <= end else { break }
                    offset = next
                }
            }
            if offset != indexOffset, offset != end {
                damage.append(DamageReport(path: path, offset: offset, reason: "salvage stopped \(end - min(offset, end)) bytes before the end of the file"))
            }
        } catch let d as DamageReport {
            damage.append(d)
        } catch {
            damage.append(DamageReport(path: path, offset: offset, reason: "\(error)"))
        }
        return (found, damage)
    }

    /// Checks every byte: header, footer, the index CRC and its consistency (its records
    /// tile the space between header and index exactly, every member belongs to one series),
    /// and each record's CRC, its decoding, and its agreement with the index.
    public static func verify(path: String) -> [DamageReport] {
        let file: SegmentFile
        do {
            file = try SegmentFile(path: path)
        } catch let d as DamageReport {
            return [d]
        } catch {
            return [DamageReport(path: path, offset: 0, reason: "\(error)")]
        }
        var owners: [UInt64: [UInt32: String]] = [:]
        for s in file.index.series {
            for c in s.chunks { owners[c.offset, default: [:]][c.member] = s.sensor }
        }
        var damage: [DamageReport] = []
        for ref in file.index.records {
            do {
                let (record, _) = try file.reader.record(at: ref.offset, limit: file.indexOffset, expectedLength: ref.length)
                guard record.members.count == Int(ref.memberCount), record.sampleCount == Int(ref.sampleCount),
                      record.sourceTimes.first! == ref.minTime, record.sourceTimes.last! == ref.maxTime else {
                    damage.append(DamageReport(path: path, offset: ref.offset, reason: "record disagrees with the index"))
                    continue
                }
                for (m, member) in record.members.enumerated() {
                    guard owners[ref.offset]?[UInt32(m)] == member.sensor else {
                        damage.append(DamageReport(path: path, offset: ref.offset, reason: "member \(m) is \(member.sensor), the index says \(owners[ref.offset]?[UInt32(m)] ?? "nothing")"))
                        continue
                    }
                    do {
                        _ = try record.columns(member: m)
                    } catch {
                        damage.append(DamageReport(path: path, offset: ref.offset, reason: "member \(m) (\(member.sensor)) does not decode: \(error)"))
                    }
                }
            } catch let d as DamageReport {
                damage.append(d)
            } catch {
                damage.append(DamageReport(path: path, offset: ref.offset, reason: "\(error)"))
            }
        }
        return damage
    }
}

