/// One problem in a config file, located by file, line and key path, e.g.
/// `config/tinsense.toml:42: sensor[3].range: low bound 5 is above high bound 1`.
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var keyPath: String
    public var message: String

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return keyPath.isEmpty ? "\(place): \(message)" : "\(place): \(keyPath): \(message)"
    }
}

/// A config that cannot be used; lists every issue found, not just the first.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var issues: [ConfigIssue]

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
