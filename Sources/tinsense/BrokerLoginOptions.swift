import ArgumentParser
import TinsenseMQTT
import TinsenseReplay

/// The TLS and credential options `record` and `replay --publish` share, named after the
/// daemon's `[mqtt]` keys (`tls_ca_file` is `--tls-ca-file`); docs/SECURITY.md explains them.
struct BrokerLoginOptions: ParsableArguments {
    @Option(name: .customLong("tls-ca-file"), help: "CA certificate(s) the mqtts:// broker's certificate must chain to (default: the system store).")
    var caFile: String?

    @Option(name: .customLong("tls-cert-file"), help: "Client certificate, for brokers that require one (with --tls-key-file).")
    var certificateFile: String?

    @Option(name: .customLong("tls-key-file"), help: "The client certificate's private key (mode 0600 or 0400).")
    var keyFile: String?

    @Option(help: "MQTT user name.")
    var username: String?

    @Option(name: .customLong("password-file"), help: "A file holding the password alone (mode 0600 or 0400; never give the password itself).")
    var passwordFile: String?

    /// The checked connection to `url`, the password read; a problem is a usage error (exit 2).
    func connection(_ url: String, option: String, command: String) throws -> BrokerConnection {
        let login = BrokerLogin(broker: url, caFile: caFile, certificateFile: certificateFile, keyFile: keyFile,
                                username: username, passwordFile: passwordFile)
        do { return try login.connection(urlOption: option) } catch { throw usageError(command, error.description) }
    }
}
