import Logging

/// A logger for code under test that logs by design (retries, damage reports): only
/// critical lines get through, so test output shows the test's own failures.
package let quietLogger: Logger = {
    var logger = Logger(label: "tinsense.tests")
    logger.logLevel = .critical
    return logger
}()
