import FuzzSupport
@testable import TinsenseStorage

/// The segment readers, at two depths chosen by the first byte:
/// - even: the rest is a record body past its CRC → `SegmentRecord` and every member's
///   columns, then the same bytes as an index section → `SegmentIndex.decode`;
/// - odd: the rest is a whole segment file → `SegmentFile` (index, every chunk), `salvage`
///   and `verify` (CRCs stop most mutations early; the seeds are real segments).
/// Every failure must be a thrown error or a damage report; never a trap or a hang.
private let directory = FuzzScratch.directory("segment")
private let path = directory + "/" + "00000001.seg"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSegmentReader(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let all = UnsafeRawBufferPointer(start: count == 0 ? nil : start, count: count)
    guard let mode = all.first else { return 0 }
    let rest = UnsafeRawBufferPointer(rebasing: all[1...])
    if mode & 1 == 0 {
        if let record = try? SegmentRecord(body: Array(rest)) {
            for m in record.members.indices { _ = try? record.columns(member: m) }
        }
        _ = try? SegmentIndex.decode(rest, recordsEnd: UInt64(8 + rest.count))
    } else {
        FuzzScratch.write(rest, to: path)
        if let file = try? SegmentFile(path: path) {
            for ref in file.index.series.flatMap(\.chunks) { _ = try? file.readChunk(ref) }
        }
        _ = SegmentFile.salvage(path: path)
        _ = SegmentFile.verify(path: path)
    }
    return 0
}

/// The entry point SwiftPM links as `main` (see CLibFuzzer.h).
@_cdecl("FuzzSegmentReader_main")
public func fuzzSegmentReaderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzSegmentReader(data.map(UnsafeRawPointer.init), size) }
}
