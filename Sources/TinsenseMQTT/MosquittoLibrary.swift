import CMosquitto
import Logging
import TinsenseSystem

/// Process-wide libmosquitto initialisation (`mosquitto_lib_init` must run once before any
/// client is created) and error text.
enum MosquittoLibrary {
    private static let initialised = Guarded(false)

    static func ensureInitialised() {
        initialised.withLock { done in
            if !done {
                mosquitto_lib_init()
                done = true
            }
        }
    }

    static func errorString(_ rc: Int32) -> String {
        guard let p = mosquitto_strerror(rc) else { return "unknown error" }
        return String(cString: p)
    }

    static func connackString(_ rc: Int32) -> String {
        guard let p = mosquitto_connack_string(rc) else { return "connection refused (\(rc))" }
        return String(cString: p)
    }

    /// Whether a client should install libmosquitto's log callback. With one installed,
    /// libmosquitto 2.0.11 mallocs a buffer and formats a line for every packet it sends or
    /// receives (`log__printf`), whatever the level. Its lines are only ever logged at
    /// `.debug`, and read for TLS handshake failures (`isTLSFailure`); a plain-TCP client whose
    /// logger is above debug would pay that per message for nothing.
    static func wantsLogCallback(usesTLS: Bool, logger: Logger) -> Bool {
        usesTLS || logger.logLevel <= .debug
    }

    /// True for libmosquitto's error-level log lines about a failed TLS handshake
    /// ("OpenSSL Error[0]: ... certificate verify failed", "host name verification failed").
    static func isTLSFailure(_ text: String) -> Bool {
        text.contains("OpenSSL") || text.contains("verification failed") || text.contains("TLS")
    }

    static func check(_ rc: Int32, _ call: String) throws(MQTTError) {
        if rc != MOSQ_ERR_SUCCESS.rawValue { throw MQTTError.library(call, rc) }
    }
}
