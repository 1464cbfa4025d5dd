import TinsenseCore

/// The MQTT topic an alert transition is republished to, from a template such as
/// `tinsense/alerts/{severity}/{sensor}/{state}`.
///
/// Placeholders: `{sensor}`, `{topic}`, `{rule}`, `{state}`, `{severity}`, `{detector}`,
/// `{alert_id}`. `/` inside a sensor id stays a topic level separator (sensor ids are topic
/// paths); MQTT wildcards `+` and `#` and NUL in substituted text become `_`, because a
/// publish topic must not contain them.
package struct AlertTopicTemplate: Sendable, Hashable {
    package let template: String

    package static let placeholders = ["sensor", "topic", "rule", "state", "severity", "detector", "alert_id"]

    /// - Throws: `AlertTopicTemplateError` for an unknown `{name}`, an unclosed brace, or a
    ///   literal `+`/`#` in the template.
    package init(_ template: String) throws(AlertTopicTemplateError) {
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { throw .unclosedBrace(template) }
            let name = String(rest[rest.index(after: open)..<close])
            guard Self.placeholders.contains(name) else { throw .unknownPlaceholder(name, template) }
            rest = rest[rest.index(after: close)...]
        }
        guard !template.contains("+"), !template.contains("#"), !template.isEmpty else { throw .wildcard(template) }
        self.template = template
    }

    /// The topic for `transition`.
    package func expand(_ transition: AlertTransition) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let name = rest[rest.index(after: open)..<close]
            out += Self.sanitized(value(String(name), transition))
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    private func value(_ name: String, _ t: AlertTransition) -> String {
        switch name {
        case "sensor": t.sensor
        case "topic": t.topic ?? t.sensor
        case "rule": t.rule
        case "state": t.kind.rawValue
        case "severity": t.severity.description
        case "detector": t.detector ?? "none"
        case "alert_id": t.alertID
        default: ""
        }
    }

    private static func sanitized(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { $0 == "+" || $0 == "#" || $0 == "\0" ? "_" : $0 }))
    }
}

package enum AlertTopicTemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownPlaceholder(String, String)
    case unclosedBrace(String)
    case wildcard(String)

    package var description: String {
        switch self {
        case .unknownPlaceholder(let name, let t):
            "unknown placeholder {\(name)} in alert topic '\(t)'; known: \(AlertTopicTemplate.placeholders.map { "{\($0)}" }.joined(separator: " "))"
        case .unclosedBrace(let t): "unclosed '{' in alert topic '\(t)'"
        case .wildcard(let t): "alert topic '\(t)' is empty or contains an MQTT wildcard (+ or #)"
        }
    }
}
