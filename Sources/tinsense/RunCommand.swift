import ArgumentParser
import Logging
import ServiceLifecycle
import TinsenseConfig
import TinsenseDaemon
import TinsenseMetrics
import TinsenseStorage

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: subscribe, validate, detect, store.",
        discussion: """
        Runs until SIGTERM or SIGINT, then stops taking messages, drains, seals the head into a
        segment and exits 0. Logs go to standard error (the journal under systemd).

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
        PrometheusBackend.bootstrap()
        let logger = Logger(label: "tinsense")
        let daemon = Daemon(config: settings, logger: logger) { directory, wal, config, logger in
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
