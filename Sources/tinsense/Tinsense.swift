import ArgumentParser

/// The one executable. Subcommand names are a contract other tools use (DESIGN.md).
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
}
