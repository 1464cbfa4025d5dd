import Foundation
import TinsenseCore

/// One line of `alerts.jsonl` read back, for the terminal viewer. Tolerant: unknown fields
/// are ignored and missing ones are nil, so a viewer still reads logs of older and newer
/// daemons.
package struct AlertLogEntry: Sendable, Hashable, Decodable {
    package var time: String?
    package var state: String?
    package var sensor: String?
    package var topic: String?
    package var rule: String?
    package var detector: String?
    package var severity: String?
    package var value: Double?
    package var score: Double?
    package var threshold: Double?
    package var alertID: String?
    package var startsAt: String?
    package var message: String?

    enum CodingKeys: String, CodingKey {
        case time, state, sensor, topic, rule, detector, severity, value, score, threshold, message
        case alertID = "alert_id"
        case startsAt = "starts_at"
    }

    /// Parses one line; nil if it is not a JSON object.
    package init?(line: some StringProtocol) {
        guard let data = String(line).data(using: .utf8),
              let entry = try? JSONDecoder().decode(AlertLogEntry.self, from: data) else { return nil }
        self = entry
    }

    package var parsedSeverity: AlertSeverity? { severity.flatMap { AlertSeverity(name: $0) } }
}
