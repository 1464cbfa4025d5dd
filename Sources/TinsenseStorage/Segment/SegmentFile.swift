#if canImport(Glibc)
import Glibc
#endif
import TinsenseCore
import TinsenseEncoding

/// A sealed segment opened for reading: its index is loaded and checked; chunks are read
/// on demand with `pread` and checked against their CRC before decoding.
public final class SegmentFile {
    public let path: String
    public let size: UInt64
    public let index: SegmentIndex
    private let fd: Int32

    /// Opens and checks header, footer and index. Throws `DamageReport` for a damaged file.
    public init(path: String) throws {
        self.path = path
        let fd = try PosixIO.open(path, flags: O_RDONLY)
        do {
            size = try PosixIO.fileSize(fd)
            index = try SegmentFile.readIndex(fd: fd, path: path, size: size)
        } catch {
            _ = Glibc.close(fd)
            throw error
        }
        self.fd = fd
    }

    deinit { _ = Glibc.close(fd) }

    static func readIndex(fd: Int32, path: String, size: UInt64) throws -> SegmentIndex {
        let minimum = UInt64(SegmentFormat.headerSize + SegmentFormat.footerSize)
        guard size >= minimum else {
            throw DamageReport(path: path, offset: 0, reason: "file of \(size) bytes is shorter than header and footer")
        }
        let header = try PosixIO.read(fd, count: SegmentFormat.headerSize, at: 0)
        guard header == SegmentFormat.headerMagic else {
            throw DamageReport(path: path, offset: 0, reason: "bad header (not a tinsense segment or unsupported version)")
        }
        let footerOffset = size - UInt64(SegmentFormat.footerSize)
        let footer = try PosixIO.read(fd, count: SegmentFormat.footerSize, at: footerOffset)
        guard footer.count == SegmentFormat.footerSize, Array(footer[16..<24]) == SegmentFormat.footerMagic else {
            throw DamageReport(path: path, offset: footerOffset, reason: "bad footer magic (incomplete or damaged segment)")
        }
        let (indexOffset, indexLength, indexCRC) = footer.withUnsafeBytes { p in
            (SegmentFormat.readLE(UInt64.self, p, at: 0), SegmentFormat.readLE(UInt32.self, p, at: 8), SegmentFormat.readLE(UInt32.self, p, at: 12))
        }
        guard indexOffset >= UInt64(SegmentFormat.headerSize), indexOffset + UInt64(indexLength) == footerOffset else {
            throw DamageReport(path: path, offset: footerOffset, reason: "footer points outside the file (index at \(indexOffset), \(indexLength) bytes)")
        }
        let indexBytes = try PosixIO.read(fd, count: Int(indexLength), at: indexOffset)
        guard indexBytes.count == Int(indexLength), CRC32C.checksum(indexBytes) == indexCRC else {
            throw DamageReport(path: path, offset: indexOffset, reason: "index checksum mismatch")
        }
        guard let index = indexBytes.withUnsafeBytes({ SegmentIndex.decode($0) }) else {
            throw DamageReport(path: path, offset: indexOffset, reason: "index is inconsistent")
        }
        for s in index.series {
            for c in s.chunks where c.offset < UInt64(SegmentFormat.headerSize) || c.offset + UInt64(c.length) > indexOffset
                || c.length < UInt32(SegmentFormat.chunkHeaderSize) {
                throw DamageReport(path: path, offset: indexOffset, reason: "index points outside the chunk area")
            }
        }
        return index
    }

    /// Reads, checks and decodes one chunk.
    public func readChunk(_ ref: SegmentChunkRef) throws -> (sensor: String, columns: ChunkColumns) {
        try SegmentFile.readChunk(fd: fd, path: path, offset: ref.offset, limit: ref.offset + UInt64(ref.length), expectedLength: ref.length)
    }

    /// Reads one chunk of a file whose index could not be used (salvage).
    public static func readChunk(path: String, ref: SegmentChunkRef) throws -> (sensor: String, columns: ChunkColumns) {
        let fd = try PosixIO.open(path, flags: O_RDONLY)
        defer { _ = Glibc.close(fd) }
        return try readChunk(fd: fd, path: path, offset: ref.offset, limit: ref.offset + UInt64(ref.length), expectedLength: ref.length)
    }

    /// Reads the chunk record at `offset`; `limit` bounds it, `expectedLength` (from the
    /// index) must match the record's own length when given.
    static func readChunk(fd: Int32, path: String, offset: UInt64, limit: UInt64, expectedLength: UInt32?) throws -> (sensor: String, columns: ChunkColumns) {
        let header = try PosixIO.read(fd, count: SegmentFormat.chunkHeaderSize, at: offset)
        guard header.count == SegmentFormat.chunkHeaderSize else {
            throw DamageReport(path: path, offset: offset, reason: "truncated chunk header")
        }
        let (length, crc) = header.withUnsafeBytes { (SegmentFormat.readLE(UInt32.self, $0, at: 0), SegmentFormat.readLE(UInt32.self, $0, at: 4)) }
        let total = UInt64(SegmentFormat.chunkHeaderSize) + UInt64(length)
        guard Int(length) <= SegmentFormat.maxChunkBytes, offset + total <= limit, length >= 2 else {
            throw DamageReport(path: path, offset: offset, reason: "implausible chunk length \(length)")
        }
        if let expectedLength, UInt64(expectedLength) != total {
            throw DamageReport(path: path, offset: offset, reason: "chunk length \(total) differs from the index (\(expectedLength))")
        }
        let body = try PosixIO.read(fd, count: Int(length), at: offset + UInt64(SegmentFormat.chunkHeaderSize))
        guard body.count == Int(length), CRC32C.checksum(body) == crc else {
            throw DamageReport(path: path, offset: offset, reason: "chunk checksum mismatch")
        }
        do {
            return try body.withUnsafeBytes { p in
                let nameLength = Int(SegmentFormat.readLE(UInt16.self, p, at: 0))
                guard 2 + nameLength <= p.count else { throw DecodingError.malformed("sensor name longer than the chunk") }
                let sensor = String(decoding: UnsafeRawBufferPointer(rebasing: p[2..<(2 + nameLength)]), as: UTF8.self)
                let columns = try ChunkDecoder.decode(UnsafeRawBufferPointer(rebasing: p[(2 + nameLength)...]))
                guard !columns.isEmpty else { throw DecodingError.malformed("empty chunk") }
                return (sensor, columns)
            }
        } catch let e as DecodingError {
            throw DamageReport(path: path, offset: offset, reason: "chunk does not decode: \(e)")
        }
    }

    /// Recovers what it can from a segment whose index is damaged: chunk records are
    /// self-describing (they carry their sensor), so they are read in order from the header
    /// until the first damaged one.
    public static func salvage(path: String) -> (chunks: [(sensor: String, ref: SegmentChunkRef)], damage: DamageReport?) {
        let fd: Int32
        do { fd = try PosixIO.open(path, flags: O_RDONLY) } catch {
            return ([], DamageReport(path: path, offset: 0, reason: "cannot open: \(error)"))
        }
        defer { _ = Glibc.close(fd) }
        var found: [(String, SegmentChunkRef)] = []
        do {
            let size = try PosixIO.fileSize(fd)
            let header = try PosixIO.read(fd, count: SegmentFormat.headerSize, at: 0)
            guard header == SegmentFormat.headerMagic else {
                return ([], DamageReport(path: path, offset: 0, reason: "bad header; nothing salvaged"))
            }
            var offset = UInt64(SegmentFormat.headerSize)
            while offset + UInt64(SegmentFormat.chunkHeaderSize) <= size {
                let (sensor, columns) = try readChunk(fd: fd, path: path, offset: offset, limit: size, expectedLength: nil)
                let length = try PosixIO.read(fd, count: 4, at: offset).withUnsafeBytes { SegmentFormat.readLE(UInt32.self, $0, at: 0) }
                let total = UInt32(SegmentFormat.chunkHeaderSize) + length
                found.append((sensor, SegmentChunkRef(offset: offset, length: total, sampleCount: UInt32(columns.count),
                                                      minTime: columns.sourceTimes.first!, maxTime: columns.sourceTimes.last!)))
                offset += UInt64(total)
            }
            return (found, DamageReport(path: path, offset: offset, reason: "salvage stopped at end of file"))
        } catch let d as DamageReport {
            // Reaching the index area reads as a bad chunk; that is the normal end of a salvage.
            return (found, d)
        } catch {
            return (found, DamageReport(path: path, offset: 0, reason: "\(error)"))
        }
    }

    /// Checks every byte: header, each chunk's CRC and decoding, that chunks tile the space
    /// between header and index exactly, the index CRC and the footer.
    public static func verify(path: String) -> [DamageReport] {
        let file: SegmentFile
        do {
            file = try SegmentFile(path: path)
        } catch let d as DamageReport {
            return [d]
        } catch {
            return [DamageReport(path: path, offset: 0, reason: "\(error)")]
        }
        var damage: [DamageReport] = []
        var refs = file.index.series.flatMap { s in s.chunks.map { (s.sensor, $0) } }
        refs.sort { $0.1.offset < $1.1.offset }
        var expected = UInt64(SegmentFormat.headerSize)
        for (sensor, ref) in refs {
            if ref.offset != expected {
                damage.append(DamageReport(path: path, offset: expected, reason: "chunks do not tile the file (next chunk at \(ref.offset))"))
            }
            expected = ref.offset + UInt64(ref.length)
            do {
                let (name, columns) = try file.readChunk(ref)
                if name != sensor || columns.count != Int(ref.sampleCount)
                    || columns.sourceTimes.first! != ref.minTime || columns.sourceTimes.last! != ref.maxTime {
                    damage.append(DamageReport(path: path, offset: ref.offset, reason: "chunk disagrees with the index"))
                }
            } catch let d as DamageReport {
                damage.append(d)
            } catch {
                damage.append(DamageReport(path: path, offset: ref.offset, reason: "\(error)"))
            }
        }
        let indexOffset = file.size - UInt64(SegmentFormat.footerSize) - UInt64(file.index.encode().count)
        if expected != indexOffset {
            damage.append(DamageReport(path: path, offset: expected, reason: "bytes between the last chunk and the index"))
        }
        return damage
    }
}

extension DamageReport: Error {}
