/// What is wrong with a detector name or parameter, naming the key and value so that the
/// config loader can point at the file and line and the CLI can echo it back.
public enum DetectorSpecError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownDetector(name: String, known: [String])
    case unknownKey(key: String, known: [String])
    case invalidValue(key: String, value: String, expected: String)
    case emptySet

    public var description: String {
        switch self {
        case .unknownDetector(let name, let known):
            "unknown detector '\(name)'; known: \(known.joined(separator: ", "))"
        case .unknownKey(let key, let known):
            "unknown detector parameter '\(key)'; known: \(known.joined(separator: ", "))"
        case .invalidValue(let key, let value, let expected):
            "invalid value '\(value)' for '\(key)': expected \(expected)"
        case .emptySet:
            "no detector selected"
        }
    }
}
