#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import TinsenseCore
import TinsenseDaemon
import TinsenseStorage

/// `tinsense inspect`: what a data directory holds and what it costs on disk.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarise a data directory: segments, series, samples, time range, bytes and bytes/sample.",
        discussion: """
        Reads segment indexes (fast), then the WAL after the last checkpoint: what a running
        daemon holds but has not sealed yet, decoded with its config (--config, default
        /etc/tinsense/tinsense.toml when it exists) and counted apart from the sealed samples
        ("not sealed"). Without a config the WAL records are counted but not decoded. Bytes
        are apparent file sizes; "data" is the segment files, "whole directory" every file
        under it (segments, WAL, quarantine).

        Example:
          tinsense inspect --data /var/lib/tinsense
          tinsense inspect --data /var/lib/tinsense --segments
        """
    )

    @Option(help: "The data directory.")
    var data: String

    @Flag(help: "List every segment.")
    var segments = false

    @OptionGroup var fresh: FreshDataOptions

    func run() throws {
        var st = stat()
        guard stat(data, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            printError("inspect: \(data) is not a directory")
            throw ExitCodes.usage
        }
        let stats: DirectoryStats
        let tail: FreshDataOptions.Tail
        do {
            stats = try DataDirectory(path: data).inspect()
            tail = try fresh.read(command: "inspect", data: data, sensor: nil, from: nil, to: nil).tail
        } catch let e as ExitCode {
            throw e
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
        printTail(tail)
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

    /// The "not sealed" lines: the WAL tail after the checkpoint, counted apart from the
    /// sealed samples above.
    func printTail(_ tail: FreshDataOptions.Tail) {
        switch tail {
        case .skipped:
            print("not sealed       (not read: --sealed-only)")
        case .undecodable(let records, let why):
            print("not sealed       \(records) WAL records after the checkpoint, not decoded: \(why)")
        case .fresh(let f):
            let series = Set(f.readings.map(\.sensor)).count
            print("not sealed       \(f.readings.count) samples in \(series) series from \(f.walRecords) WAL records after checkpoint \(f.sealed.checkpoint.map { "\($0)" } ?? "none") (\(f.refused) refused, \(f.duplicates) of them already stored)")
            if let lo = f.readings.map(\.sourceTime).min(), let hi = f.readings.map(\.sourceTime).max() {
                print("not sealed range \(lo) … \(hi)")
            }
            for d in f.damage { printError("inspect: damaged: \(d)") }
        }
    }

    func perSample(_ x: Double?) -> String {
        guard let x else { return "" }
        let r = (x * 1000).rounded() / 1000
        return " (\(r) bytes/sample)"
    }
}
