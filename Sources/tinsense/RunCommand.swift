import ArgumentParser
import Logging
import ServiceLifecycle
import TinsenseConfig
import TinsenseDaemon
import TinsenseStorage

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: subscribe, validate, detect, store.",
        discussion: """
        Runs until SIGTERM or SIGINT, then stops taking messages, drains, seals the head into a
        segment and exits 0. SIGHUP re-reads sensors, validation, detectors and alert rules from
        the same file (an invalid file keeps the running config) and reopens the alert log.
        Logs go to standard error (the journal under systemd).

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

    func run() async throws {
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

        let level = Logger.Level(rawValue: settings.daemon.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
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
