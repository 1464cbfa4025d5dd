/// A fixture that could not do its part (a process that would not start), as a thrown error
/// so the test reports it instead of crashing.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
