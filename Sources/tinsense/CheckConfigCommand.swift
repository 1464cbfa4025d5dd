import ArgumentParser
import TinsenseConfig

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a config file and name every problem with its line and key path.",
        discussion: """
        Exits 0 when the file is usable, 2 otherwise, printing one line per problem:
          FILE:LINE: KEY.PATH: what is wrong

        Example:
          tinsense check-config config/tinsense.toml
        """
    )

    @Argument(help: "The TOML config file.")
    var file: String

    func run() throws {
        do {
            let config = try ConfigLoader.load(path: file)
            let concrete = config.sensors.filter(\.spec.topic.isConcrete).count
            print("\(file): OK — \(config.sensors.count) sensor entries (\(concrete) single-topic, \(config.sensors.count - concrete) patterns), subscribing to \(config.subscriptions.joined(separator: ", ")) on \(config.mqtt.broker)")
        } catch {
            for issue in error.issues { printError(issue.description) }
            printError("\(file): \(error.issues.count) problem\(error.issues.count == 1 ? "" : "s")")
            throw ExitCodes.usage
        }
    }
}
