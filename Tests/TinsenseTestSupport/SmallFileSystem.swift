import Foundation

/// A tmpfs of a few MB mounted on a directory, with a ballast file to fill it and free it.
package final class SmallFileSystem: @unchecked Sendable {
    package let path: String
    private var mounted = false

    /// Whether this process may mount (root in a container that allows it): tried once.
    package static let canMount: Bool = {
        let probe = TemporaryDirectory("mount-probe")
        guard let fs = try? SmallFileSystem(at: probe.file("m"), megabytes: 1) else { return false }
        fs.unmount()
        return true
    }()

    package init(at path: String, megabytes: Int) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let status = try ChildProcess("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", path]).wait()
        guard status == 0 else { throw TestFailure("mount tmpfs on \(path) failed (\(status))") }
        mounted = true
    }

    /// Writes a ballast file until the file system has no space left.
    package func fill() {
        _ = try? ChildProcess("/bin/dd", ["if=/dev/zero", "of=\(path)/ballast", "bs=1M"]).wait()
    }

    /// Deletes the ballast.
    package func free() { try? FileManager.default.removeItem(atPath: path + "/ballast") }

    package func unmount() {
        guard mounted else { return }
        _ = try? ChildProcess("/bin/umount", [path]).wait()
        mounted = false
    }

    deinit { unmount() }
}
