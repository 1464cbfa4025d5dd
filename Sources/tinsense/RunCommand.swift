import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TinsenseConfig
import TinsenseDaemon
import TinsenseMQTT
import TinsenseMetrics
import TinsenseStorage
import TinsenseSystem

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: subscribe, validate, detect, store.",
        discussion: """
        Runs until SIGTERM or SIGINT, then stops taking messages, drains, seals the head into a
        segment and exits 0. SIGHUP re-reads sensors, validation, detectors and alert rules from
        the same file (an invalid file keeps the running config) and reopens the alert log.
        Logs go to standard error; under systemd (stderr is $JOURNAL_STREAM) without timestamps
        and with syslog priorities, for the journal.

        The config must not be writable by others, and a password file (mqtt.password_file) must
        be private to its owner (0600 or 0400): else the daemon refuses to start (exit 2).

        Examples:
          tinsense run --config /etc/tinsense/tinsense.toml
          tinsense run --config config/tinsense.toml --broker mqtt://127.0.0.1:18830 --data /tmp/tinsense-data
        """
    )

    @Option(name: .long, help: "The TOML config file.")
    var config: String

    @Option(name: .long, help: "Broker URL (mqtt://host:port); overrides mqtt.broker.")
    var broker: String?

    @Option(name: .long, help: "Data directory; overrides daemon.data_dir.")
    var data: String?

    @Option(name: .long, help: "Log level (trace, debug, info, notice, warning, error, critical); overrides daemon.log_level.")
    var logLevel: String?

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level: \"\(logLevel)\" is not one of: \(CommandLogging.levelNames.joined(separator: ", "))")
        }
    }

    func run() async throws {
        // Whoever can write the config chooses the broker, the credentials and the data directory.
        if let mode = try? FilePermissions.mode(of: config), let problem = FilePermissions.configProblem(mode: mode) {
            printError("\(config) \(problem)")
            throw ExitCodes.usage
        }
        var settings: Config
        do {
            settings = try ConfigLoader.load(path: config)
        } catch {
            for issue in error.issues { printError(issue.description) }
            throw ExitCodes.usage
        }
        if let broker {
            settings.mqtt.broker = broker
            if let problem = ConfigLoader.brokerProblem(broker) {
                printError("--broker: \(problem)")
                throw ExitCodes.usage
            }
        }
        if let data { settings.daemon.dataDirectory = data }
        // The password (file or systemd credential) and TLS settings, checked before anything
        // starts so that a credential problem is a config error (exit 2), not a crash loop.
        do {
            _ = try BrokerConnection(config: settings.mqtt, environment: ProcessInfo.processInfo.environment)
        } catch {
            printError("\(config): \(error)")
            throw ExitCodes.usage
        }

        let level = Logger.Level(rawValue: logLevel ?? settings.daemon.logLevel) ?? .info
        CommandLogging.bootstrapDaemon(level: level, environment: ProcessInfo.processInfo.environment)
        PrometheusBackend.bootstrap()
        let logger = Logger(label: "tinsense")
        // SIGHUP re-reads the same file with the same overrides.
        let reloadSource = ReloadSource(path: config) { [config, broker, data] in
            Result { () throws(ConfigError) -> Config in
                var c = try ConfigLoader.load(path: config)
                if let broker { c.mqtt.broker = broker }
                if let data { c.daemon.dataDirectory = data }
                return c
            }
        }
        let daemon = Daemon(config: settings, logger: logger, reloadSource: reloadSource) { directory, wal, config, logger in
            try SegmentStore(directory: directory, options: StorageOptions(config: config.storage), wal: wal, logger: logger)
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: daemon)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        do {
            try await group.run()
        } catch {
            logger.critical("tinsense failed", metadata: ["error": "\(error)"])
            throw ExitCodes.runtimeFailure
        }
    }
}
