import TinsenseConfig
import TinsenseMQTT
import TinsenseSystem

extension BrokerConnection {
    /// Why the connection settings cannot be used (a missing credential, a password file others
    /// can read): a configuration error, so `run` exits 2 before anything starts.
    package struct SettingsProblem: Error, Sendable, CustomStringConvertible {
        package var description: String
    }

    /// The broker connection the config describes, with the password read now: from
    /// `mqtt.password_file`, or from the systemd credential `mqtt.password_credential` in
    /// `$CREDENTIALS_DIRECTORY`. The subscriber and the alert republisher both use the result.
    package init(config: Config.MQTT, environment: [String: String]) throws(SettingsProblem) {
        let url: BrokerURL
        do {
            url = try BrokerURL(parsing: config.broker)
        } catch {
            throw SettingsProblem(description: "mqtt.broker: \(error)")
        }
        let tls = TLSFiles(caFile: config.tlsCAFile, certificateFile: config.tlsCertFile, keyFile: config.tlsKeyFile)
        if !url.usesTLS && tls != TLSFiles() {
            throw SettingsProblem(description: "mqtt.tls_* files are set but the broker \(url) is not mqtts://; the connection would be plain TCP")
        }
        var password: String?
        do {
            if let file = config.passwordFile {
                password = try SecretFile.read(file)
            } else if let name = config.passwordCredential {
                guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else {
                    throw SettingsProblem(description: "mqtt.password_credential = \"\(name)\" but $CREDENTIALS_DIRECTORY is not set; start the daemon from a unit with LoadCredential=\(name):/etc/tinsense/\(name)")
                }
                password = try SecretFile.read(directory + "/" + name)
            }
        } catch let problem as SecretFile.Problem {
            throw SettingsProblem(description: "MQTT password: \(problem)")
        } catch let problem as SettingsProblem {
            throw problem
        } catch {
            throw SettingsProblem(description: "MQTT password: \(error)")
        }
        if let key = config.tlsKeyFile {
            if let mode = try? FilePermissions.mode(of: key), let problem = FilePermissions.secretProblem(mode: mode) {
                throw SettingsProblem(description: "mqtt.tls_key_file: \(key) \(problem)")
            }
        }
        self.init(broker: url, tls: tls, username: config.username, password: password, mqttProtocol: config.protocolVersion == .v5 ? .v5 : .v311)
    }
}
