/// A fixture that could not do its part (a process that would not start), as a thrown error
/// so the test reports it instead of crashing.
package struct TestFailure: Error, CustomStringConvertible {
    package var description: String
    package init(_ d: String) { description = d }
}
