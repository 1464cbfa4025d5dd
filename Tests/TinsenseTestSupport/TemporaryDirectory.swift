import Foundation

/// A fresh scratch directory under the system temp directory, removed when the test drops it.
///
/// Keep the object alive as long as the test uses the path (`let dir = TemporaryDirectory()`
/// in the test body); its `deinit` deletes the whole tree.
package final class TemporaryDirectory: @unchecked Sendable {
    // @unchecked: `path` is immutable; the only other state is the directory on disk.
    package let path: String

    /// Creates `tinsense-<label>-<pid>-<random>`; a machine that cannot create a temp
    /// directory cannot run these tests, so failure stops the run.
    package init(_ label: String = "test") {
        path = NSTemporaryDirectory() + "tinsense-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))"
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            fatalError("cannot create the scratch directory \(path): \(error)")
        }
    }

    /// The path of `name` inside the directory.
    package func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
