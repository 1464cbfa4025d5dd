import ArgumentParser

/// The exit codes of docs/DESIGN-CONTRACTS.md: 0 success, 1 runtime failure, 2 usage/config error.
enum ExitCodes {
    static let runtimeFailure = ExitCode(1)
    static let usage = ExitCode(2)
}
