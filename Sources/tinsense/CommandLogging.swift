import Logging

/// Loggers for the one-shot storage commands: warnings and worse to stderr.
enum CommandLogging {
    static func logger(_ label: String) -> Logger {
        var l = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        l.logLevel = .warning
        return l
    }
}
