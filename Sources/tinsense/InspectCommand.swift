#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import TinsenseCore
import TinsenseStorage

/// `tinsense inspect`: what a data directory holds and what it costs on disk.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarise a data directory: segments, series, samples, time range, bytes and bytes/sample.",
        discussion: """
        Reads segment indexes only (fast). Bytes are apparent file sizes; "data" is the
        segment files, "whole directory" every file under it (segments, WAL, quarantine).
        The head of a running daemon is not counted until it is sealed.

        Example:
          tinsense inspect --data /var/lib/tinsense
          tinsense inspect --data /var/lib/tinsense --segments
        """
    )

    @Option(help: "The data directory.")
    var data: String

    @Flag(help: "List every segment.")
    var segments = false

    func run() throws {
        var st = stat()
        guard stat(data, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            printError("inspect: \(data) is not a directory")
            throw ExitCodes.usage
        }
        let stats: DirectoryStats
        do {
            stats = try DataDirectory(path: data).inspect()
        } catch {
            printError("inspect: \(error)")
            throw ExitCodes.runtimeFailure
        }
        print("data directory   \(data)")
        print("segments         \(stats.segments.count)\(stats.damagedSegments.isEmpty ? "" : " (+\(stats.damagedSegments.count) damaged)")")
        print("series           \(stats.seriesCount)")
        print("samples          \(stats.samples)")
        if let lo = stats.minTime, let hi = stats.maxTime {
            print("time range       \(lo) … \(hi)")
        } else {
            print("time range       (empty)")
        }
        print("data bytes       \(stats.segmentBytes)\(perSample(stats.segmentBytesPerSample))")
        print("wal              \(stats.walFiles) files, \(stats.walBytes) bytes")
        print("quarantine       \(stats.quarantineBytes) bytes")
        print("whole directory  \(stats.totalBytes) bytes\(perSample(stats.totalBytesPerSample))")
        if segments {
            for s in stats.segments {
                let name = s.path.split(separator: "/").last.map(String.init) ?? s.path
                print("  \(name)  \(s.series) series  \(s.samples) samples  \(s.minTime) … \(s.maxTime)  \(s.bytes) bytes  checkpoint \(s.checkpoint.map { "\($0)" } ?? "none")")
            }
        }
        for d in stats.damagedSegments { printError("inspect: damaged: \(d)") }
        if !stats.damagedSegments.isEmpty { throw ExitCodes.runtimeFailure }
    }

    func perSample(_ x: Double?) -> String {
        guard let x else { return "" }
        let r = (x * 1000).rounded() / 1000
        return " (\(r) bytes/sample)"
    }
}
