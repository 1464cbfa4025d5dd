import ArgumentParser

/// The one executable. Subcommand names are a contract other tools use (docs/DESIGN-CONTRACTS.md).
@main
struct Tinsense: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tinsense",
        abstract: "MQTT sensor ingest, validation, anomaly detection and storage for tin plants.",
        discussion: """
        Examples:
          tinsense check-config /etc/tinsense/tinsense.toml
          tinsense run --config /etc/tinsense/tinsense.toml
          tinsense simulate --broker mqtt://127.0.0.1:1883 --duration 60s
          tinsense export --data /var/lib/tinsense --format csv > readings.csv

        Exit codes: 0 success, 1 runtime failure, 2 usage or config error.
        """,
        subcommands: CommandList.all
    )

    /// ArgumentParser exits 64 on usage errors; docs/DESIGN-CONTRACTS.md says 2, so map it.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error).rawValue == 64 {
                printError(fullMessage(for: error))
                exit(withError: ExitCodes.usage)
            }
            exit(withError: error)
        }
    }
}
