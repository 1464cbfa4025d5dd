/// Reading WAL-format files without opening them for writing: recordings (`tinsense record`,
/// the daemon's raw-stream archive) are directories of WAL files that a reader must never
/// truncate or lock.
extension WALReader {
    /// Streams the records of the WAL files in `walDirectory` numbered `first` or later, each
    /// up to its size when opened. A torn or damaged record ends its file (listed in `damage`);
    /// the next file is read on.
    public static func readOnly(walDirectory: String, fromFile first: UInt32 = 0) throws -> WALReader {
        let files = try WriteAheadLog.fileNumbers(in: walDirectory).filter { $0 >= first }
        return WALReader(directory: walDirectory, files: files, start: nil, end: WALPosition(file: UInt32.max, offset: UInt64.max))
    }

    /// The path of WAL file `number` in `walDirectory` (`00000012.wal`).
    public static func path(walDirectory: String, file number: UInt32) -> String {
        walDirectory + "/" + WALFormat.fileName(number)
    }
}
