/// Reads what `ByteSink` wrote, with a bounds check on every step: decoders run on bytes from
/// disk, and damage that slipped past the CRC (or a bug) must end in an error, never a crash.
public struct ByteSource {
    public let buffer: UnsafeRawBufferPointer
    /// Index of the next byte to read.
    public var position: Int

    public init(_ buffer: UnsafeRawBufferPointer, position: Int = 0) {
        self.buffer = buffer
        self.position = position
    }

    public var remaining: Int { buffer.count - position }
    public var isAtEnd: Bool { position >= buffer.count }

    @inlinable
    public mutating func byte() throws(ChunkDecodingError) -> UInt8 {
        guard position < buffer.count else { throw .truncated }
        let b = buffer[position]
        position += 1
        return b
    }

    @inlinable
    public mutating func varint() throws(ChunkDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let n = buffer.count
        var i = position
        while true {
            guard i < n else { throw .truncated }
            let b = buffer[i]
            i += 1
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { break }
            shift += 7
            guard shift < 64 else { throw .malformed("varint longer than 10 bytes") }
        }
        position = i
        return result
    }

    @inlinable
    public mutating func signed() throws(ChunkDecodingError) -> Int64 {
        ZigZag.decode(try varint())
    }

    /// A varint that must fit an `Int` below `limit` (counts and lengths).
    public mutating func count(limit: Int) throws(ChunkDecodingError) -> Int {
        let v = try varint()
        guard v <= UInt64(limit) else { throw .malformed("count \(v) exceeds \(limit)") }
        return Int(v)
    }

    public mutating func le<T: FixedWidthInteger>(_: T.Type) throws(ChunkDecodingError) -> T {
        let size = MemoryLayout<T>.size
        guard position + size <= buffer.count else { throw .truncated }
        let v = buffer.loadUnaligned(fromByteOffset: position, as: T.self)
        position += size
        return T(littleEndian: v)
    }

    public mutating func bytes(_ n: Int) throws(ChunkDecodingError) -> UnsafeRawBufferPointer {
        guard n >= 0, position + n <= buffer.count else { throw .truncated }
        let slice = UnsafeRawBufferPointer(rebasing: buffer[position..<(position + n)])
        position += n
        return slice
    }
}

/// Why chunk bytes could not be decoded (named apart from Swift's `DecodingError`, which is
/// about `Codable`). Chunks are CRC-checked before decoding, so these mean a bug
/// or a collision that slipped past the checksum; readers report them like CRC damage.
public enum ChunkDecodingError: Error, Equatable, CustomStringConvertible {
    case truncated
    case malformed(String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .truncated: "truncated data"
        case .malformed(let why): "malformed data: \(why)"
        case .unsupported(let what): "unsupported: \(what)"
        }
    }
}
