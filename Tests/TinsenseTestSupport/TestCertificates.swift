import Foundation

/// Certificates for TLS tests, made with `openssl` in a scratch directory (never checked in,
/// never reused across runs):
/// - `ca`: the test CA; `server` (CN and SAN 127.0.0.1, SAN localhost) and `client` are
///   signed by it;
/// - `otherHost`: signed by the same CA but for `broker.invalid` only: a host name mismatch;
/// - `otherCA`: a second CA that signed none of them: a client trusting it must refuse.
package final class TestCertificates: Sendable {
    package let directory: TemporaryDirectory

    package var caFile: String { directory.file("ca.crt") }
    package var otherCAFile: String { directory.file("other-ca.crt") }
    package var serverCertificate: String { directory.file("server.crt") }
    package var serverKey: String { directory.file("server.key") }
    package var otherHostCertificate: String { directory.file("other-host.crt") }
    package var otherHostKey: String { directory.file("other-host.key") }
    package var clientCertificate: String { directory.file("client.crt") }
    package var clientKey: String { directory.file("client.key") }

    package init() throws {
        directory = TemporaryDirectory("certs")
        try makeCA("ca", subject: "/CN=tinsense test CA")
        try makeCA("other-ca", subject: "/CN=tinsense unrelated CA")
        try makeSigned("server", subject: "/CN=127.0.0.1", altNames: "IP:127.0.0.1,DNS:localhost")
        try makeSigned("other-host", subject: "/CN=broker.invalid", altNames: "DNS:broker.invalid")
        try makeSigned("client", subject: "/CN=tinsense-client", altNames: "DNS:tinsense-client")
        // The daemon refuses private keys others can read; openssl writes them 0600 already.
        for key in ["ca", "other-ca", "server", "other-host", "client"] {
            chmod(directory.file(key + ".key"), 0o600)
        }
    }

    /// The listener of a broker presenting the good server certificate (or the one for the
    /// wrong host name).
    package func listener(wrongHost: Bool = false, requireClientCertificate: Bool = false) -> MosquittoBroker.TLSListener {
        MosquittoBroker.TLSListener(
            certificateFile: wrongHost ? otherHostCertificate : serverCertificate,
            keyFile: wrongHost ? otherHostKey : serverKey,
            caFile: caFile, requireClientCertificate: requireClientCertificate
        )
    }

    private func makeCA(_ name: String, subject: String) throws {
        try runTool("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", subject,
            "-keyout", directory.file(name + ".key"), "-out", directory.file(name + ".crt"),
        ])
    }

    private func makeSigned(_ name: String, subject: String, altNames: String) throws {
        try runTool("/usr/bin/openssl", [
            "req", "-newkey", "rsa:2048", "-nodes", "-subj", subject,
            "-keyout", directory.file(name + ".key"), "-out", directory.file(name + ".csr"),
        ])
        let extensions = directory.file(name + ".ext")
        try "subjectAltName=\(altNames)\n".write(toFile: extensions, atomically: true, encoding: .utf8)
        try runTool("/usr/bin/openssl", [
            "x509", "-req", "-in", directory.file(name + ".csr"), "-CA", caFile, "-CAkey", directory.file("ca.key"),
            "-CAcreateserial", "-days", "2", "-extfile", extensions, "-out", directory.file(name + ".crt"),
        ])
    }
}
