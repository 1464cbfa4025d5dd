#if canImport(Glibc)
import Glibc
#endif

/// The permission rules for files the daemon trusts but did not create: a secret (the MQTT
/// password, a TLS private key) must be private to its owner, and the config must not be
/// writable by others, since whoever can write it chooses the broker, the credentials and
/// the data directory.
public enum FilePermissions {
    /// Why `mode` is too open for a secret, or nil: any permission for group or others is
    /// refused (as ssh does for private keys), so the rule is simply 0600 or 0400.
    public static func secretProblem(mode: mode_t) -> String? {
        guard mode & 0o077 != 0 else { return nil }
        return "is accessible by group or others (mode \(octal(mode))); a secret must be 0600 or 0400 (chmod go-rwx)"
    }

    /// Why `mode` is too open for the config file, or nil.
    public static func configProblem(mode: mode_t) -> String? {
        guard mode & 0o002 != 0 else { return nil }
        return "is writable by others (mode \(octal(mode))); anyone could change the broker, the credentials or the data directory (chmod o-w)"
    }

    /// The permission bits of `path`, following symbolic links (what `open` will read).
    public static func mode(of path: String) throws -> mode_t {
        var st = stat()
        guard stat(path, &st) == 0 else { throw PosixIO.Failure(operation: "stat", path: path, errno: errno) }
        return st.st_mode & 0o7777
    }

    /// `mode` as `0644`.
    public static func octal(_ mode: mode_t) -> String {
        let digits = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
