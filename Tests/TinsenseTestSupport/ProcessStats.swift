import Foundation

/// What /proc says about another process: the figures the reliability tests bound
/// (descriptor leaks, a busy loop while the broker is away, memory under hostile input).
package struct ProcessStats: Sendable {
    package let pid: pid_t

    package init(pid: pid_t) { self.pid = pid }

    /// Open file descriptors (entries of /proc/PID/fd).
    package var descriptorCount: Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).count
    }

    /// User + system CPU time so far, in seconds.
    package var cpuSeconds: Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        // Fields after "(comm)": state is field 3, utime 14, stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident set size in bytes (VmRSS), and its peak (VmHWM).
    package var residentBytes: (now: Int, peak: Int) {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
        func kB(_ key: String) -> Int {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return 0 }
            return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
        }
        return (kB("VmRSS"), kB("VmHWM"))
    }

    /// The share of one core the process used over `seconds` from now (0.05 = 5 %).
    package func cpuShare(over seconds: TimeInterval) -> Double {
        let before = cpuSeconds
        Thread.sleep(forTimeInterval: seconds)
        return (cpuSeconds - before) / seconds
    }
}
