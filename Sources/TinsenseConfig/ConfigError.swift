/// One problem in a config file, located by file, line and key path, e.g.
/// `config/tinsense.toml:42: sensor[3].range: low bound 5 is above high bound 1`.
package struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    package var file: String
    package var line: Int?
    package var keyPath: String
    package var message: String

    package var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return keyPath.isEmpty ? "\(place): \(message)" : "\(place): \(keyPath): \(message)"
    }
}

/// A config that cannot be used; lists every issue found, not just the first.
package struct ConfigError: Error, Sendable, CustomStringConvertible {
    package var issues: [ConfigIssue]

    package var description: String { issues.map(\.description).joined(separator: "\n") }
}
