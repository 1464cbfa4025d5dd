import TinsenseCore

/// The byte layout of segment files (docs/FORMAT.md, "Segment files").
///
/// `header(8) | records … | index | footer(24)`. A record is `u32le bodyLength |
/// u32le crc32c(body) | body`; its body holds one time part shared by one or more series
/// (members), then each member's front-coded sensor id and value part (`SegmentRecord`).
/// The index is one optionally zstd-compressed section (`SegmentIndex`). The footer is
/// `u64le indexOffset | u32le indexLength | u32le crc32c(index) | "TSSEGEND"`.
public enum SegmentFormat {
    /// `TSSEG` `\0` `\0` `\x02`: magic and format version 2 (version 1, one chunk per
    /// record and a fixed-width index, was never deployed and is not read).
    public static let headerMagic: [UInt8] = [0x54, 0x53, 0x53, 0x45, 0x47, 0x00, 0x00, 0x02]
    public static let footerMagic: [UInt8] = Array("TSSEGEND".utf8)
    public static let headerSize = 8
    public static let footerSize = 24
    /// `u32le bodyLength | u32le crc32c(body)` before every record body.
    public static let recordHeaderSize = 8
    public static let fileExtension = "seg"
    public static let temporarySuffix = ".tmp"
    /// Bounds on what a reader accepts before allocating.
    public static let maxRecordBytes = 256 << 20
    /// The writer starts a new record (repeating the time part) rather than grow one past
    /// this: a reader fetches and checks a whole record to decode one member.
    public static let recordTargetBytes = 1 << 20
    /// Longest sensor id (bytes of UTF-8).
    public static let maxSensorBytes = Int(UInt16.max)
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
