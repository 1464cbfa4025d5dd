import Foundation

/// A small tmpfs mounted on a scratch directory: a real full disk (ENOSPC) for tests of the
/// disk-full paths. Needs root (CI runs as root); `mount` returns nil where it is not allowed,
/// and the test says it skipped.
package final class TmpfsMount: @unchecked Sendable {
    package let path: String

    private init(path: String) { self.path = path }

    /// Mounts a tmpfs of `kilobytes` on `path` (created if missing), or nil if not permitted.
    package static func mount(at path: String, kilobytes: Int) -> TmpfsMount? {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard getuid() == 0,
              let p = try? ChildProcess("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path]),
              p.wait() == 0 else { return nil }
        return TmpfsMount(path: path)
    }

    /// Writes a filler file until the file system is full; returns its path.
    @discardableResult
    package func fill(name: String = "filler") -> String {
        let file = path + "/" + name
        let fd = open(file, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        let block = [UInt8](repeating: 0x5A, count: 4096)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, 4096) }) > 0 {}
        var one: UInt8 = 0x5A
        while write(fd, &one, 1) > 0 {}
        close(fd)
        return file
    }

    /// Frees what `fill` took.
    package func free(name: String = "filler") { unlink(path + "/" + name) }

    deinit {
        if let p = try? ChildProcess("/bin/umount", ["-l", path]) { p.wait() }
    }
}
