import CLibFuzzer
import Foundation

/// A scratch directory for the file-level fuzz targets (segment and WAL readers read files,
/// not buffers). On /dev/shm when it exists, so an execution costs no disk I/O.
public enum FuzzScratch {
    /// `<base>/tinsense-fuzz-<label>-<pid>`, created once per process.
    public static func directory(_ label: String) -> String {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = "\(base)/tinsense-fuzz-\(label)-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Replaces `path` with exactly `bytes`.
    public static func write(_ bytes: UnsafeRawBufferPointer, to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot create \(path)")
        var done = 0
        while done < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + done, bytes.count - done)
            precondition(n > 0, "cannot write \(path)")
            done += n
        }
        close(fd)
    }

    /// Removes every entry of `directory` (not the directory itself).
    public static func empty(_ directory: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
        }
    }
}

/// Stops the fuzzer with a message libFuzzer records as a crash: a broken property, as
/// opposed to an input the code rightly rejects.
public func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() {
        FileHandle.standardError.write(Data(("property violated: " + message() + "\n").utf8))
        abort()
    }
}

/// Seeds made by the real writers (segments, WAL files, chunks) rather than committed blobs
/// alone: `LLVMFuzzerInitialize` of those targets calls this, which writes each seed into
/// `$TINSENSE_FUZZ_SEEDS` when it is set (scripts/fuzz.sh sets it to the corpus directory).
public func writeGeneratedSeeds(_ seeds: () throws -> [(name: String, bytes: [UInt8])]) {
    guard let dir = ProcessInfo.processInfo.environment["TINSENSE_FUZZ_SEEDS"] else { return }
    do {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for seed in try seeds() {
            seed.bytes.withUnsafeBytes { FuzzScratch.write($0, to: dir + "/" + seed.name) }
        }
    } catch {
        FileHandle.standardError.write(Data("cannot generate seeds: \(error)\n".utf8))
        exit(1)
    }
}

/// Runs libFuzzer on `callback` with the process's arguments (corpus directories, -flags):
/// the body of every fuzz target's `<module>_main`.
public func runLibFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, callback)
}
