import Foundation
import Logging

/// Where alert transitions go: the JSONL alert log (the record) and, optionally, MQTT.
///
/// Alert ids are deterministic (sensor, rule, start), so after a crash the WAL replay
/// recreates the same transitions; those already in the log's tail are not written again.
package final class AlertOutput {
    package let log: AlertLog
    package let republisher: AlertRepublisher?
    let logger: Logger
    private var alreadyLogged: Set<String>

    package init(log: AlertLog, republisher: AlertRepublisher?, logger: Logger) {
        self.log = log
        self.republisher = republisher
        self.logger = logger
        alreadyLogged = AlertOutput.tailKeys(path: log.path)
    }

    static func key(id: String, state: String) -> String { id + "|" + state }

    /// `alert_id|state` of the lines in the last MiB of the log, read with the same
    /// `AlertLogEntry` parser as the viewer (a torn first line simply does not parse).
    static func tailKeys(path: String) -> Set<String> {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 1 << 20 ? size - (1 << 20) : 0)
        let data = (try? handle.readToEnd()) ?? Data()
        var keys = Set<String>()
        for line in data.split(separator: 0x0A) {
            guard let entry = AlertLogEntry(line: String(decoding: line, as: UTF8.self)),
                  let id = entry.alertID, let state = entry.state else { continue }
            keys.insert(key(id: id, state: state))
        }
        return keys
    }

    /// Writes `transition` to the log and hands it to the republisher; while `replaying`,
    /// skips one the log already holds.
    package func emit(_ transition: AlertTransition, replaying: Bool) {
        if replaying, alreadyLogged.contains(AlertOutput.key(id: transition.alertID, state: transition.kind.rawValue)) {
            return
        }
        do {
            try log.write(transition)
        } catch {
            logger.error("cannot write the alert log", metadata: ["error": "\(error)", "alert": "\(transition.jsonLine)"])
        }
        republisher?.enqueue(transition)
    }

    /// Stops the republisher (after what is queued), fsyncs and closes the log.
    package func close() {
        republisher?.stop()
        try? log.sync()
        log.close()
    }
}
