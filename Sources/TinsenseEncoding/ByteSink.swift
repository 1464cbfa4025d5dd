/// A growable byte buffer written through a raw pointer.
///
/// Written by hand because the encoders must run at tens of millions of samples per second:
/// `Array.append` per byte re-checks uniqueness and capacity on every call, while this writes
/// straight into memory reserved up front (callers reserve the worst case per sample).
public struct ByteSink: ~Copyable {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    /// Bytes written so far.
    @usableFromInline var _count: Int
    public var count: Int { _count }

    public init(capacity: Int = 256) {
        self.capacity = Swift.max(capacity, 16)
        base = .allocate(capacity: self.capacity)
        _count = 0
    }

    deinit { base.deallocate() }

    /// Makes room for at least `extra` more bytes.
    @inlinable
    public mutating func reserve(_ extra: Int) {
        if _count + extra > capacity { grow(_count + extra) }
    }

    @usableFromInline
    mutating func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        p.update(from: base, count: _count)
        base.deallocate()
        base = p
        capacity = newCapacity
    }

    @inlinable
    public mutating func append(_ byte: UInt8) {
        reserve(1)
        base[_count] = byte
        _count += 1
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        reserve(bytes.count)
        if let src = bytes.baseAddress, !bytes.isEmpty {
            UnsafeMutableRawPointer(base + _count).copyMemory(from: src, byteCount: bytes.count)
        }
        _count += bytes.count
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// LEB128 unsigned varint (7 bits per byte, low groups first, high bit = more follows).
    /// The caller must have reserved 10 bytes.
    @inlinable
    public mutating func appendVarintUnchecked(_ value: UInt64) {
        var v = value
        var i = _count
        while v >= 0x80 {
            base[i] = UInt8(truncatingIfNeeded: v) | 0x80
            v >>= 7
            i += 1
        }
        base[i] = UInt8(truncatingIfNeeded: v)
        _count = i + 1
    }

    @inlinable
    public mutating func appendVarint(_ value: UInt64) {
        reserve(10)
        appendVarintUnchecked(value)
    }

    /// Signed integers as zigzag varints, so small magnitudes of either sign stay short.
    @inlinable
    public mutating func appendSigned(_ value: Int64) {
        appendVarint(ZigZag.encode(value))
    }

    @inlinable
    public mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        let size = MemoryLayout<T>.size
        reserve(size)
        UnsafeMutableRawPointer(base + _count).storeBytes(of: value.littleEndian, as: T.self)
        _count += size
    }

    /// Overwrites a little-endian integer already written at `offset` (length prefixes).
    public mutating func patchLE<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        precondition(offset + MemoryLayout<T>.size <= _count)
        UnsafeMutableRawPointer(base + offset).storeBytes(of: value.littleEndian, as: T.self)
    }

    /// Raw access for codecs that write a known maximum (zstd).
    public mutating func withUnsafeSpareCapacity<R>(
        minimum: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> (written: Int, result: R)
    ) rethrows -> R {
        reserve(minimum)
        let spare = UnsafeMutableRawBufferPointer(start: base + _count, count: capacity - _count)
        let (written, result) = try body(spare)
        precondition(written <= spare.count)
        _count += written
        return result
    }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: _count))
    }

    public mutating func removeAll() { _count = 0 }

    /// A copy of the bytes written.
    public var bytes: [UInt8] {
        [UInt8](UnsafeBufferPointer(start: base, count: _count))
    }
}

/// Zigzag mapping of signed to unsigned integers (0, -1, 1, -2, … → 0, 1, 2, 3, …).
public enum ZigZag {
    @inlinable
    public static func encode(_ v: Int64) -> UInt64 {
        UInt64(bitPattern: (v &<< 1) ^ (v >> 63))
    }

    @inlinable
    public static func decode(_ u: UInt64) -> Int64 {
        Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
    }
}
