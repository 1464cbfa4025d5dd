import Foundation

/// A child process started with `posix_spawn` and reaped with `waitpid`.
///
/// The test runner's threads block some signals, and a child inherits that mask: a broker
/// spawned naively then ignores SIGTERM and the test hangs waiting for it. So the child gets
/// an empty signal mask and default dispositions.
package final class ChildProcess: @unchecked Sendable {
    package let pid: pid_t
    private var exitStatus: Int32?

    /// Starts `path` with `arguments`; stdout and stderr go to `outputPath` (or /dev/null).
    /// `environment` adds to (or overrides) this process's environment.
    package init(_ path: String, _ arguments: [String], outputPath: String? = nil, errorPath: String? = nil,
                 environment: [String: String] = [:]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath ?? outputPath ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in envp { free(p) } }
        let rc = environment.isEmpty
            ? posix_spawn(&child, path, &actions, &attributes, argv, environ)
            : posix_spawn(&child, path, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw TestFailure("cannot start \(path): \(String(cString: strerror(rc)))") }
        pid = child
    }

    /// Sends `signal`.
    package func signal(_ signal: Int32) {
        if exitStatus == nil { kill(pid, signal) }
    }

    /// Waits for the exit; returns the exit code (128 + signal when killed by one).
    @discardableResult
    package func wait() -> Int32 {
        if let s = exitStatus { return s }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        exitStatus = code
        return code
    }

    /// True until the child has exited (reaps it when it has).
    package var isRunning: Bool {
        if exitStatus != nil { return false }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid {
            exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
            return false
        }
        return true
    }
}
