import Foundation
import FuzzSupport
import Logging
import TinsenseCore
@testable import TinsenseStorage

/// WAL recovery, at three depths chosen by the first byte (mod 3):
/// - 0: the rest is a record body past its CRC → `WALFormat.decodeBody`;
/// - 1: the rest is a whole WAL file → `WriteAheadLog` open (recovery), `records`, `scan`;
/// - 2: the rest is a list of bodies (each a 2-byte little-endian length, then the bytes),
///   framed with correct CRCs into a WAL file, so mutations reach the body decoder through
///   the real reader. Property: the reader returns exactly the leading bodies that decode,
///   in order, and stops at the first that does not. It reads through the read-only path
///   (`WALReader.readOnly`: the same file cursor, framing and body decoder as recovery, without
///   a data directory to build and lock per input), so this mode runs several times faster
///   than mode 1 and the property gets most of the executions.
private let dataDirectory = FuzzScratch.directory("wal")
private let walDirectory = dataDirectory + "/wal"
private let listDirectory: String = {
    let d = FuzzScratch.directory("wal-list")
    FuzzScratch.empty(d)
    return d
}()
private let listFile = WALReader.path(walDirectory: listDirectory, file: 1)
private let logger = Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWALReader(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let all = UnsafeRawBufferPointer(start: count == 0 ? nil : start, count: count)
    guard let mode = all.first else { return 0 }
    let rest = UnsafeRawBufferPointer(rebasing: all[1...])
    switch mode % 3 {
    case 0:
        _ = WALFormat.decodeBody(rest)
    case 1:
        _ = readBack(file: Array(rest))
    default:
        var bodies: [[UInt8]] = []
        var i = rest.startIndex
        while i + 2 <= rest.endIndex {
            let n = Int(rest[i]) | Int(rest[i + 1]) << 8
            let end = min(rest.endIndex, i + 2 + n)
            bodies.append(Array(rest[(i + 2)..<end]))
            i = end
        }
        var file = WALFormat.fileMagic
        var expected: [WALRecord] = []
        var intact = true
        for body in bodies {
            file += frame(body)
            let decoded = body.count >= WALFormat.bodyFixedSize ? body.withUnsafeBytes { WALFormat.decodeBody($0) } : nil
            if intact, let decoded { expected.append(decoded) } else { intact = false }
        }
        file.withUnsafeBytes { FuzzScratch.write($0, to: listFile) }
        let got = ((try? WALReader.readOnly(walDirectory: listDirectory)).map { Array($0) } ?? []).map(\.record)
        fuzzCheck(got == expected, "read back \(got.count) records, expected the \(expected.count) that decode")
    }
    return 0
}

/// A record as the WAL writes it: length, CRC32C of the body, body.
private func frame(_ body: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    WALFormat.appendLE(UInt32(body.count), to: &out)
    WALFormat.appendLE(CRC32C.checksum(body), to: &out)
    return out + body
}

/// Puts `file` as the only WAL file of a fresh data directory, opens the log (its recovery
/// runs) and reads every record.
private func readBack(file: [UInt8]) -> [WALRecord] {
    FuzzScratch.empty(dataDirectory)
    try? FileManager.default.createDirectory(atPath: walDirectory, withIntermediateDirectories: true)
    file.withUnsafeBytes { FuzzScratch.write($0, to: walDirectory + "/" + WALFormat.fileName(1)) }
    _ = try? WriteAheadLog.scan(directory: walDirectory)
    guard let wal = try? WriteAheadLog(directory: dataDirectory, maxFileBytes: 1 << 20, logger: logger) else { return [] }
    defer { try? wal.close() }
    guard let reader = try? wal.records(from: nil) else { return [] }
    return reader.map(\.record)
}

/// The entry point SwiftPM links as `main` (see CLibFuzzer.h).
@_cdecl("FuzzWALReader_main")
public func fuzzWALReaderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzWALReader(data.map(UnsafeRawPointer.init), size) }
}
