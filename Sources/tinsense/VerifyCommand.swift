#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import TinsenseStorage

/// `tinsense verify`: check every checksum of a data directory.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every CRC of every segment and WAL file; name the file and offset of any damage.",
        discussion: """
        Segments: header, footer, index CRC, every record's CRC and decoding, and that the
        records tile the file exactly. WAL: every record's CRC and framing (a torn tail in
        the newest file is reported too; the daemon truncates it on its next start).
        Prints one line per damaged place: FILE: offset N: what.

        Example:
          tinsense verify --data /var/lib/tinsense

        Exit codes: 0 intact, 1 damage found (or unreadable), 2 usage error.
        """
    )

    @Option(help: "The data directory.")
    var data: String

    func run() throws {
        var st = stat()
        guard stat(data, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            printError("verify: \(data) is not a directory")
            throw ExitCodes.usage
        }
        let directory = DataDirectory(path: data)
        let damage: [DamageReport]
        let segmentCount: Int
        do {
            segmentCount = try directory.segmentFiles().count
            damage = try directory.verify()
        } catch {
            printError("verify: \(error)")
            throw ExitCodes.runtimeFailure
        }
        for d in damage { print("\(d.path): offset \(d.offset): \(d.reason)") }
        if damage.isEmpty {
            print("OK: \(segmentCount) segment\(segmentCount == 1 ? "" : "s") and the WAL of \(data) are intact")
        } else {
            printError("verify: \(damage.count) damaged place\(damage.count == 1 ? "" : "s") in \(data)")
            throw ExitCodes.runtimeFailure
        }
    }
}
