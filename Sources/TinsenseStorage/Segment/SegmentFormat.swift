import TinsenseCore

/// The byte layout of segment files (docs/FORMAT.md, "Segment files").
///
/// `header(8) | chunk records … | index | footer(24)`. A chunk record is
/// `u32le bodyLength | u32le crc32c(body) | body` with body = `u16le sensorLength | sensor |
/// chunk`. The footer is `u64le indexOffset | u32le indexLength | u32le crc32c(index) |
/// "TSSEGEND"`.
public enum SegmentFormat {
    /// `TSSEG` `\0` `\0` `\x01`: magic and format version 1.
    public static let headerMagic: [UInt8] = [0x54, 0x53, 0x53, 0x45, 0x47, 0x00, 0x00, 0x01]
    public static let footerMagic: [UInt8] = Array("TSSEGEND".utf8)
    public static let headerSize = 8
    public static let footerSize = 24
    public static let chunkHeaderSize = 8
    public static let fileExtension = "seg"
    public static let temporarySuffix = ".tmp"
    /// Bounds on what a reader accepts before allocating.
    public static let maxChunkBytes = 256 << 20
    public static let maxIndexBytes = 1 << 30

    /// `00000042.seg`: the sequence number orders segments by creation.
    public static func fileName(sequence: UInt64) -> String {
        let n = String(sequence)
        return String(repeating: "0", count: max(0, 8 - n.count)) + n + "." + fileExtension
    }

    public static func sequence(fromFileName name: String) -> UInt64? {
        guard name.hasSuffix("." + fileExtension) else { return nil }
        let stem = name.dropLast(fileExtension.count + 1)
        guard !stem.isEmpty, stem.allSatisfy(\.isASCII) else { return nil }
        return UInt64(stem)
    }

    static func appendLE<T: FixedWidthInteger>(_ v: T, to out: inout [UInt8]) {
        var x = v.littleEndian
        withUnsafeBytes(of: &x) { out.append(contentsOf: $0) }
    }

    static func readLE<T: FixedWidthInteger>(_: T.Type, _ p: UnsafeRawBufferPointer, at offset: Int) -> T {
        T(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
