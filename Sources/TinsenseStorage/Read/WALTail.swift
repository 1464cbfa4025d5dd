#if canImport(Glibc)
import Glibc
#endif
import TinsenseCore
import TinsenseSystem

/// The WAL records after a checkpoint, read by a process that is not the writer: no lock is
/// taken and nothing is written, so a running daemon goes on appending undisturbed.
///
/// The newest file is being appended to: the reader stops at its first record that is not
/// complete and CRC-valid and counts that as the live end (`liveTailBytes`), not as damage.
/// A file that vanishes before it is opened was trimmed by a seal (`vanishedBelow`): its
/// records are then in a segment sealed meanwhile. A file already open is read to its end
/// even if it is unlinked meanwhile.
public struct WALTail: Sequence, IteratorProtocol {
    private let directory: String
    private var files: [UInt32]
    private let newest: UInt32?
    private let start: WALPosition?
    private var current: WALReader?
    private var currentFile: UInt32 = 0
    /// Records that failed their CRC in a file older than the newest (real damage).
    public private(set) var damage: [DamageReport] = []
    /// The newest WAL file that was listed at the start but gone when its turn came (trimmed
    /// by a seal meanwhile); a `SealedState` taken afterwards must have its checkpoint beyond it.
    public private(set) var vanishedBelow: UInt32?
    /// Where the valid records of the newest file ended, when bytes followed that did not
    /// (yet) form a valid record: a record being written right now, or a crash's torn tail.
    public private(set) var liveTailAt: WALPosition?

    init(walDirectory: String, after checkpoint: WALPosition?) throws {
        directory = walDirectory
        let numbers = DataDirectory.isDirectory(walDirectory) ? try WriteAheadLog.fileNumbers(in: walDirectory) : []
        files = numbers.filter { checkpoint == nil || $0 >= checkpoint!.file }
        newest = numbers.last
        start = checkpoint
    }

    public mutating func next() -> WALEntry? {
        while true {
            if current == nil {
                guard !files.isEmpty else { return nil }
                currentFile = files.removeFirst()
                let path = directory + "/" + WALFormat.fileName(currentFile)
                guard Glibc.access(path, F_OK) == 0 else {
                    vanishedBelow = currentFile
                    continue
                }
                // `end` beyond any size: each file is read up to its size when opened.
                current = WALReader(directory: directory, files: [currentFile], start: start,
                                    end: WALPosition(file: currentFile, offset: UInt64.max))
            }
            if let e = current!.next() { return e }
            for d in current!.damage {
                if d.reason.hasPrefix("cannot open") {
                    vanishedBelow = currentFile
                } else if currentFile == newest {
                    liveTailAt = WALPosition(file: currentFile, offset: d.offset)
                } else {
                    damage.append(d)
                }
            }
            current = nil
        }
    }
}

extension DataDirectory {
    /// The WAL records after `checkpoint` (nil = from the oldest file), lock-free; see `WALTail`.
    public func walTail(after checkpoint: WALPosition?) throws -> WALTail {
        try WALTail(walDirectory: walPath, after: checkpoint)
    }
}
