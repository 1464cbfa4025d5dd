#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import TinsenseConfig
import TinsenseCore
import TinsenseDaemon
import TinsenseStorage

/// `--config` and `--sealed-only`, shared by `export`, `inspect` and `plot`: how these
/// commands read what a running daemon has not sealed yet (the WAL tail, see
/// docs/FORMAT.md "Reading fresh data").
///
/// The WAL holds raw MQTT messages; turning them into readings needs the daemon's sensor
/// catalog and limits, i.e. its config. Without one the tail is counted, not guessed at.
struct FreshDataOptions: ParsableArguments {
    /// Where the packaged daemon reads its config (systemd/tinsense.service).
    static let defaultConfigPath = "/etc/tinsense/tinsense.toml"

    @Option(help: ArgumentHelp("The daemon's config, to decode the WAL tail the way it does (default: \(FreshDataOptions.defaultConfigPath) when it exists).", valueName: "file"))
    var config: String?

    @Flag(help: "Read sealed segments only; ignore the WAL tail (what the daemon has not sealed yet).")
    var sealedOnly = false

    /// What was found after the checkpoint.
    enum Tail {
        /// `--sealed-only`.
        case skipped
        /// There are WAL records after the checkpoint but no config to decode them.
        case undecodable(records: Int, why: String)
        case fresh(FreshReadings)
    }

    /// Reads the sealed state and the WAL tail. Throws `ExitCodes.usage` for an explicit
    /// config that cannot be read (after printing why).
    func read(command: String, data: String, sensor: SensorPattern?, from: Timestamp?, to: Timestamp?) throws -> (sealed: SealedState, tail: Tail) {
        let directory = DataDirectory(path: data)
        if sealedOnly { return (try directory.sealedState(), .skipped) }
        let path = config ?? (access(FreshDataOptions.defaultConfigPath, R_OK) == 0 ? FreshDataOptions.defaultConfigPath : nil)
        guard let path else {
            let sealed = try directory.sealedState()
            var tail = try directory.walTail(after: sealed.checkpoint)
            var records = 0
            while tail.next() != nil { records += 1 }
            return (sealed, .undecodable(records: records, why: "no config (\(FreshDataOptions.defaultConfigPath) does not exist; pass --config FILE)"))
        }
        let settings: Config
        do {
            settings = try ConfigLoader.load(path: path)
        } catch {
            throw usageError(command, "--config: \(error)")
        }
        let fresh = try FreshReadings.read(directory: directory, config: settings, sensor: sensor, from: from, to: to)
        return (fresh.sealed, .fresh(fresh))
    }

    /// The stderr line that says the tail is not shown, when it is not; nil when nothing is missing.
    static func warning(_ tail: Tail, command: String) -> String? {
        guard case .undecodable(let records, let why) = tail, records > 0 else { return nil }
        return "\(command): \(records) WAL record\(records == 1 ? "" : "s") after the last checkpoint (not sealed yet) are not shown: \(why), or --sealed-only to silence this"
    }
}
