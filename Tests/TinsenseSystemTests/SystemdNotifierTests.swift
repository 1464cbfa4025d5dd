#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TinsenseSystem
import TinsenseTestSupport

@Suite("systemd notify protocol")
struct SystemdNotifierTests {
    @Test("a path socket receives each state as one datagram")
    func pathSocket() throws {
        let scratch = TemporaryDirectory("notify")
        let path = scratch.path + "/notify.sock"
        let listener = try NotifySocket(name: path)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path])
        #expect(notifier.isActive)
        #expect(notifier.notify("READY=1\nSTATUS=connected to mqtt://127.0.0.1:1883"))
        #expect(listener.receive() == "READY=1\nSTATUS=connected to mqtt://127.0.0.1:1883")
        #expect(notifier.notify("WATCHDOG=1"))
        #expect(listener.receive() == "WATCHDOG=1")
    }

    @Test("an abstract socket name (leading @) is reached without a file")
    func abstractSocket() throws {
        let name = "@tinsense-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let listener = try NotifySocket(name: name)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": name])
        #expect(notifier.notify("STOPPING=1"))
        #expect(listener.receive() == "STOPPING=1")
    }

    @Test("outside systemd nothing is sent and nothing fails")
    func noSocket() {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isActive)
        #expect(!notifier.notify("READY=1"))
        #expect(notifier.watchdogMicroseconds == nil)
    }

    @Test("a socket nobody listens on is reported as not sent, without a crash")
    func goneManager() {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/nonexistent/tinsense/notify"])
        #expect(!notifier.notify("READY=1"))
    }

    @Test("WATCHDOG_USEC counts only when WATCHDOG_PID is unset or this process")
    func watchdogInterval() {
        let ours = SystemdNotifier(environment: ["WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "\(getpid())"])
        #expect(ours.watchdogMicroseconds == 20_000_000)
        let unset = SystemdNotifier(environment: ["WATCHDOG_USEC": "5000000"])
        #expect(unset.watchdogMicroseconds == 5_000_000)
        let other = SystemdNotifier(environment: ["WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "1"])
        #expect(other.watchdogMicroseconds == nil)
        let garbage = SystemdNotifier(environment: ["WATCHDOG_USEC": "soon"])
        #expect(garbage.watchdogMicroseconds == nil)
    }
}
