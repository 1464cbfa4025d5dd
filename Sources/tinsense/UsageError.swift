import ArgumentParser

/// Names the usage problem on stderr and exits 2 (ArgumentParser's own `ValidationError`
/// would exit 64).
func usageError(_ command: String, _ message: String) -> ExitCode {
    printError("\(command): \(message)")
    printError("See 'tinsense \(command) --help'.")
    return ExitCodes.usage
}
