import Foundation
import TinsenseCore

/// One line of `alerts.jsonl` read back, for the terminal viewer. Tolerant: unknown fields
/// are ignored and missing ones are nil, so a viewer still reads logs of older and newer
/// daemons.
public struct AlertLogEntry: Sendable, Hashable, Decodable {
    public var time: String?
    public var state: String?
    public var sensor: String?
    public var topic: String?
    public var rule: String?
    public var detector: String?
    public var severity: String?
    public var value: Double?
    public var score: Double?
    public var threshold: Double?
    public var alertID: String?
    public var startsAt: String?
    public var message: String?

    enum CodingKeys: String, CodingKey {
        case time, state, sensor, topic, rule, detector, severity, value, score, threshold, message
        case alertID = "alert_id"
        case startsAt = "starts_at"
    }

    /// Parses one line; nil if it is not a JSON object.
    public init?(line: some StringProtocol) {
        guard let data = String(line).data(using: .utf8),
              let entry = try? JSONDecoder().decode(AlertLogEntry.self, from: data) else { return nil }
        self = entry
    }

    public var parsedSeverity: AlertSeverity? { severity.flatMap { AlertSeverity(name: $0) } }
}
