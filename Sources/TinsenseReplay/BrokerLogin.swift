#if canImport(Glibc)
import Glibc
#endif
import TinsenseMQTT
import TinsenseSystem

/// How `tinsense record` and `tinsense replay --publish` reach a site broker that encrypts
/// and authenticates: the same TLS files and credentials as the daemon's `[mqtt]` section
/// (`tls_ca_file`, `tls_cert_file`, `tls_key_file`, `username`, `password_file`), checked by
/// the same rules, into the same `BrokerConnection` the daemon's subscriber uses.
///
/// The password is only ever read from a file private to its owner, never taken as text:
/// a command line is visible to every user in `ps` and kept in shell histories.
package struct BrokerLogin: Sendable {
    package var broker: String
    package var caFile: String?
    package var certificateFile: String?
    package var keyFile: String?
    package var username: String?
    package var passwordFile: String?

    package init(broker: String, caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil,
                 username: String? = nil, passwordFile: String? = nil) {
        self.broker = broker
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.username = username
        self.passwordFile = passwordFile
    }

    /// Why the options cannot be used, in the words of the option at fault: a usage error.
    package struct Problem: Error, Sendable, CustomStringConvertible {
        package var description: String
        init(_ description: String) { self.description = description }
    }

    /// The checked connection, with the password read now. `urlOption` names the option that
    /// holds the broker (`--broker`, `--publish`) in the messages.
    package func connection(urlOption: String) throws(Problem) -> BrokerConnection {
        let url: BrokerURL
        do { url = try BrokerURL(parsing: broker) } catch {
            throw Problem("\(urlOption): cannot read \"\(broker)\" (mqtt://host:port or mqtts://host:port)")
        }
        let tls = TLSFiles(caFile: caFile, certificateFile: certificateFile, keyFile: keyFile)
        if !url.usesTLS && tls != TLSFiles() {
            // A forgotten `s` must not quietly mean plain TCP (the daemon's config refuses it too).
            throw Problem("TLS files are given but \(urlOption) is \"\(broker)\"; use mqtts://HOST:PORT, or the connection would be plain TCP")
        }
        if (certificateFile == nil) != (keyFile == nil) {
            throw Problem("a client certificate needs both --tls-cert-file and --tls-key-file")
        }
        for (option, path) in [("--tls-ca-file", caFile), ("--tls-cert-file", certificateFile), ("--tls-key-file", keyFile)] {
            if let path, access(path, R_OK) != 0 { throw Problem("\(option): cannot read \(path)") }
        }
        if let keyFile, let mode = try? FilePermissions.mode(of: keyFile), let problem = FilePermissions.secretProblem(mode: mode) {
            throw Problem("--tls-key-file: \(keyFile) \(problem)")
        }
        if passwordFile != nil && username == nil { throw Problem("--password-file needs --username") }
        var password: String?
        if let passwordFile {
            do { password = try SecretFile.read(passwordFile) } catch { throw Problem("--password-file: \(error)") }
        }
        return BrokerConnection(broker: url, tls: tls, username: username, password: password)
    }
}
