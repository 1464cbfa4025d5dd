import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TinsenseAlerts
import TinsenseCore

/// `tinsense alerts`: the alert log made readable for a person at a terminal.
struct AlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Show the alert log (alerts.jsonl) in a readable, coloured form.",
        discussion: """
        One line per transition: time, state, severity, sensor, rule, detector, score against \
        threshold, value, message and the first 8 characters of the alert id. Colours (red \
        critical, yellow warning, green resolved, magenta muting) only when standard output is \
        a terminal and NO_COLOR is unset; plain text otherwise. Lines that are not JSON are \
        shown as they are. With --follow, waits for new lines and keeps following across \
        rotation (the daemon's own and logrotate's).

        Examples:
          tinsense alerts --file /var/log/tinsense/alerts.jsonl
          tinsense alerts --file alerts.jsonl --follow --severity critical
          tinsense alerts --file alerts.jsonl --sensor 'flotation/*/ph'
        """)

    @Option(help: "The alert log to read.")
    var file: String

    @Flag(help: "Keep reading as the log grows, across rotation (Ctrl-C to stop).")
    var follow = false

    @Option(help: "Show only this severity and above (info, warning, critical).")
    var severity: String?

    @Option(help: ArgumentHelp("Show only sensors matching this pattern (* ? [a-z] \\; see docs/SENSOR-PATTERNS.md).", valueName: "pattern"))
    var sensor: String?

    @Option(help: "Colour: auto (terminal only), always, never.")
    var color = "auto"

    func run() throws {
        var filter = AlertLineFilter(sensor: sensor.map(SensorPattern.init))
        if let severity {
            guard let s = AlertSeverity(name: severity) else {
                printError("tinsense alerts: unknown severity '\(severity)'; expected info, warning or critical")
                throw ExitCodes.usage
            }
            filter.minimumSeverity = s
        }
        let colour: Bool
        switch color {
        case "always": colour = true
        case "never": colour = false
        case "auto": colour = isatty(STDOUT_FILENO) == 1 && getenv("NO_COLOR") == nil
        default:
            printError("tinsense alerts: --color must be auto, always or never")
            throw ExitCodes.usage
        }
        guard access(file, R_OK) == 0 || follow else {
            printError("tinsense alerts: cannot read \(file): \(String(cString: strerror(errno)))")
            throw ExitCodes.runtimeFailure
        }
        let view = AlertLogView(filter: filter, formatter: AlertLineFormatter(colour: colour))
        let follower = AlertLogFollower(path: file)
        while true {
            for line in follower.readAvailableLines() {
                if let text = view.display(line) { print(text) }
            }
            guard follow else { return }
            fflush(nil)    // all streams: `print` buffers when piped
            usleep(250_000)
        }
    }
}
