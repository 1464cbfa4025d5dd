#if canImport(Glibc)
import Glibc
#endif
import CMosquitto
import Foundation
import Logging
import Synchronization
import TinsenseSystem

/// Receives messages on libmosquitto's network thread. `receive` is the durability hook: it
/// must make the message durable (append it to the WAL) and hand it on before returning,
/// because libmosquitto 2.0.11 sends the QoS 1 PUBACK as soon as the callback returns.
/// Blocking here is how backpressure reaches the broker.
///
/// `packetID` is the MQTT packet identifier (0 at QoS 0) and `connection` counts successful
/// connects of this subscriber (1 for the first): a broker resends an unacknowledged message
/// only on a new connection and with its original packet id, which is how a redelivery is
/// told from a new message with the same bytes.
///
/// While `receive` runs, the network thread sends nothing: no PUBACK, no PINGREQ. A broker
/// drops a client it has heard nothing from for 1.5 × keepalive, so a sink should not stay
/// longer than `SubscriberOptions.longestHold` in one call once the message is durable (it
/// may return then and hold the message itself; every return lets libmosquitto write the
/// PUBACK, which the broker counts as life, and read one more message). A sink that cannot
/// make the message durable must not return at all, and the connection is lost meanwhile.
///
/// QoS 0 is different: nobody acknowledges it and the broker never sends it again, so a sink
/// may hold such messages after `receive` returns and write a burst of them at once
/// (`coalescesQoS0`). The subscriber then calls `inputDrained` whenever the socket has no
/// unread bytes after a QoS 0 message (the burst has ended), when the connection ends, and
/// after `stop`; a sink also bounds what it holds by count, bytes and age on its own.
package protocol MQTTMessageSink: Sendable {
    func receive(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, qos: UInt8, retained: Bool, packetID: Int32, connection: Int)
    /// Whether this sink holds QoS 0 messages past `receive` (asked once, in `start`).
    var coalescesQoS0: Bool { get }
    /// Nothing more is waiting to be read: write and hand on whatever QoS 0 messages are held.
    /// On the network thread, or on the thread that called `stop` once the network thread has ended.
    func inputDrained()
}

extension MQTTMessageSink {
    package var coalescesQoS0: Bool { false }
    package func inputDrained() {}
}

/// How the subscriber connects and what it asks for.
package struct SubscriberOptions: Sendable {
    /// The broker, TLS and credentials (shared with the alert republisher).
    package var connection: BrokerConnection
    package var clientID: String
    /// MQTT 3.1.1: the clean-session flag. MQTT 5: Clean Start; with false, the session (the
    /// subscriptions and the QoS 1 backlog) is resumed and outlives each connection by
    /// `sessionExpirySeconds`.
    package var cleanSession: Bool
    /// MQTT 5 only: the Session Expiry Interval sent in every CONNECT (0: the session ends with
    /// the connection; `UInt32.max`: never expires). Ignored under 3.1.1, where the broker's
    /// `persistent_client_expiration` decides.
    package var sessionExpirySeconds: UInt32
    package var qos: Int
    package var keepaliveSeconds: Int
    package var subscriptions: [String]
    /// Retained `online` on every connect, `offline` as the last will and on clean stop.
    package var statusTopic: String?
    package var reconnectMinSeconds: Int
    package var reconnectMaxSeconds: Int
    /// Refusals in a row (TLS handshake failures, CONNACK refusals such as a wrong password)
    /// after which the subscriber reports `SubscriberFailure.refused`, so the daemon exits
    /// non-zero and systemd shows the failure; 0 = keep retrying.
    package var refusalsBeforeFailure: Int

    package var broker: BrokerURL { connection.broker }

    /// The longest one `MQTTMessageSink.receive` call should last (keepalive / 2), so the broker
    /// hears a packet from us well inside its 1.5 × keepalive limit; infinity with keepalive off.
    package var longestHold: Double { keepaliveSeconds > 0 ? Double(keepaliveSeconds) / 2 : .infinity }

    package init(
        connection: BrokerConnection, clientID: String, cleanSession: Bool = false, qos: Int = 1,
        keepaliveSeconds: Int = 30, subscriptions: [String], statusTopic: String? = nil,
        reconnectMinSeconds: Int = 1, reconnectMaxSeconds: Int = 30, refusalsBeforeFailure: Int = 10,
        sessionExpirySeconds: UInt32 = 604_800
    ) {
        self.connection = connection
        self.clientID = clientID
        self.cleanSession = cleanSession
        self.sessionExpirySeconds = sessionExpirySeconds
        self.qos = qos
        self.keepaliveSeconds = keepaliveSeconds
        self.subscriptions = subscriptions
        self.statusTopic = statusTopic
        self.reconnectMinSeconds = reconnectMinSeconds
        self.reconnectMaxSeconds = reconnectMaxSeconds
        self.refusalsBeforeFailure = refusalsBeforeFailure
    }
}

/// A persistent-session MQTT subscriber on libmosquitto's threaded interface.
///
/// Per docs/LIBMOSQUITTO.md: `mosquitto_loop_start` runs *before* `mosquitto_connect_async`
/// (the other order never retries when the broker is down at boot); reconnects use
/// libmosquitto's bounded exponential backoff; every connect resubscribes, whatever the
/// broker says about the session, so a broker that lost its state still delivers.
///
/// Under MQTT 5 the connection life cycle differs (MQTTSubscriber+Version5.swift): a supervisor
/// thread connects with the session expiry and reconnects after every disconnect.
///
/// A TLS handshake failure ends libmosquitto's network thread for good (2.0.11 does not retry
/// it, and says so only in its log), so a restart thread (`superviseTLS`) starts it again with
/// backoff. Refusals (TLS failures and CONNACK refusals) are counted; after
/// `refusalsBeforeFailure` in a row the subscriber reports `SubscriberFailure.refused`.
package final class MQTTSubscriber: @unchecked Sendable {
    // @unchecked: `handle` is set once in `start` and torn down in `stop`; the TLS restart
    // thread and the MQTT 5 supervisor use it only under `lifecycle`, which `stop` takes too; callbacks only read
    // immutable fields and the atomics and mutexes below.
    var handle: OpaquePointer?
    private var retained: Unmanaged<MQTTSubscriber>?
    let options: SubscriberOptions
    let sink: any MQTTMessageSink
    /// `sink.coalescesQoS0`, read once.
    let sinkCoalesces: Bool
    /// Whether a PUBLISH's size on the wire follows from the message alone (MQTT 3.1.1 without
    /// TLS; MQTT 5 adds properties, TLS its records), so that `unreadBytes` can be counted down.
    let wireSizesKnown: Bool
    /// Network thread only: bytes the socket held after the packets delivered since it was last
    /// asked (FIONREAD), less the PUBLISH packets delivered since. While it is positive, more of
    /// the burst is known to be waiting and the socket need not be asked again. Other packets
    /// (a PINGRESP) are not counted down, so it can only overstate what waits: then a burst's end
    /// is missed and the sink's own age bound writes what it holds.
    private let unreadBytes = Atomic<Int>(0)
    let logger: Logger

    let connectedFlag = Atomic<Bool>(false)
    let connectCount = Atomic<Int>(0)
    private let messageCount = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
    /// Filters by SUBSCRIBE message id, to name the filter a SUBACK refers to.
    let pendingSubscriptions = Guarded<[Int32: String]>([:])
    private let failureFeed = AsyncStream.makeStream(of: SubscriberFailure.self, bufferingPolicy: .bufferingOldest(16))
    /// MQTT 5: the CONNECT properties (Session Expiry Interval), built once in `start`.
    var connectProperties: OpaquePointer?
    /// MQTT 5: the last CONNACK was not a success, so the disconnect that follows is part of
    /// that answer (already logged and counted), not a new failure.
    let connackRefused = Atomic<Bool>(false)
    /// Refusals since the last successful connect.
    let refusalsInARow = Atomic<Int>(0)
    /// libmosquitto's words about a failed TLS handshake, gathered from its log (on the network
    /// thread) until the restart thread takes them.
    let tlsFailure = Guarded<String?>(nil)
    /// Wakes the restart thread (or, under MQTT 5, the supervisor): a TLS failure was noted, a
    /// v5 connection ended, or `stop` was called. Signalled from the network thread, so it
    /// never blocks there.
    let restartWakeup = DispatchSemaphore(value: 0)
    /// Serialises the restart thread's calls on `handle` with `stop`. The network thread
    /// never takes it, so the restart thread may join that thread while holding it.
    let lifecycle = NSLock()

    /// Failures after which this subscriber cannot deliver what it was configured for (see
    /// `SubscriberFailure`); the daemon stops on the first. One consumer.
    package var failures: AsyncStream<SubscriberFailure> { failureFeed.stream }

    package init(options: SubscriberOptions, sink: any MQTTMessageSink, logger: Logger) {
        self.options = options
        self.sink = sink
        sinkCoalesces = sink.coalescesQoS0
        wireSizesKnown = options.connection.mqttProtocol == .v311 && !options.broker.usesTLS
        self.logger = logger
    }

    /// True between a successful CONNACK and the next disconnect.
    package var isConnected: Bool { connectedFlag.load(ordering: .relaxed) }
    /// Successful connects so far (the first one included).
    package var connects: Int { connectCount.load(ordering: .relaxed) }
    /// Messages handed to the sink so far.
    package var messagesReceived: Int { messageCount.load(ordering: .relaxed) }

    /// Starts the network thread and the first (asynchronous) connect. Returns at once; the
    /// connection comes up whenever the broker is reachable.
    package func start() throws(MQTTError) {
        MosquittoLibrary.ensureInitialised()
        let me = Unmanaged.passRetained(self)
        guard let m = mosquitto_new(options.clientID, options.cleanSession, me.toOpaque()) else {
            me.release()
            throw MQTTError.library("mosquitto_new", MOSQ_ERR_NOMEM.rawValue)
        }
        handle = m
        retained = me
        try options.connection.configure(m)
        try MosquittoLibrary.check(mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1), "MOSQ_OPT_TCP_NODELAY")
        if let status = options.statusTopic {
            let offline = Array("offline".utf8)
            try MosquittoLibrary.check(mosquitto_will_set(m, status, Int32(offline.count), offline, 1, true), "mosquitto_will_set")
        }
        if options.connection.mqttProtocol == .v5 {
            try startVersion5(m)
            return
        }
        mosquitto_reconnect_delay_set(m, UInt32(options.reconnectMinSeconds), UInt32(options.reconnectMaxSeconds), true)
        mosquitto_connect_callback_set(m) { _, userdata, rc in
            MQTTSubscriber.from(userdata).didConnect(rc)
        }
        mosquitto_disconnect_callback_set(m) { _, userdata, rc in
            MQTTSubscriber.from(userdata).didDisconnect(rc)
        }
        mosquitto_subscribe_callback_set(m) { _, userdata, mid, count, granted in
            MQTTSubscriber.from(userdata).didSubscribe(mid: mid, granted: Array(UnsafeBufferPointer(start: granted, count: Int(count))))
        }
        mosquitto_message_callback_set(m) { mosq, userdata, message in
            guard let message else { return }
            MQTTSubscriber.from(userdata).didReceive(message.pointee, mosq)
        }
        installLogCallback(m)
        if options.broker.usesTLS {
            let t = Thread { [self] in superviseTLS() }
            t.name = "tinsense-mqtt-tls-restart"
            t.start()
        }
        try MosquittoLibrary.check(mosquitto_loop_start(m), "mosquitto_loop_start")
        let rc = mosquitto_connect_async(m, options.broker.host, Int32(options.broker.port), Int32(options.keepaliveSeconds))
        if rc != MOSQ_ERR_SUCCESS.rawValue {
            // The network thread retries by itself (loop_start came first); just say so.
            logger.warning("broker not reachable yet; will keep retrying", metadata: [
                "broker": "\(options.broker)", "error": "\(MosquittoLibrary.errorString(rc))",
            ])
        }
        logStarted()
    }

    func logStarted() {
        var metadata: Logger.Metadata = [
            "broker": "\(options.connection)", "client_id": "\(options.clientID)",
            "clean_session": "\(options.cleanSession)", "qos": "\(options.qos)",
            "subscriptions": "\(options.subscriptions.joined(separator: ","))",
        ]
        if options.connection.mqttProtocol == .v5 { metadata["session_expiry_s"] = "\(options.sessionExpirySeconds)" }
        logger.info("MQTT subscriber started", metadata: metadata)
    }

    /// Publishes `offline` (when configured), disconnects cleanly and stops the network
    /// thread. Messages not yet acknowledged stay with the broker for the next session.
    /// `force` cancels the network thread instead of joining it: for a sink that is blocked
    /// waiting for storage, whose message must not be acknowledged by returning.
    package func stop(force: Bool = false) {
        stopping.store(true, ordering: .relaxed)
        restartWakeup.signal()
        lifecycle.lock()
        defer { lifecycle.unlock() }
        guard let m = handle else { return }
        if let status = options.statusTopic, isConnected {
            let offline = Array("offline".utf8)
            mosquitto_publish(m, nil, status, Int32(offline.count), offline, 1, true)
        }
        mosquitto_disconnect(m)
        mosquitto_loop_stop(m, force)
        // Not after a forced stop: the cancelled thread may have been inside the sink, which
        // was then stalled (and could not have written what it holds anyway).
        if sinkCoalesces && !force { sink.inputDrained() }
        mosquitto_destroy(m)
        handle = nil
        mosquitto_property_free_all(&connectProperties)
        retained?.release()
        retained = nil
        connectedFlag.store(false, ordering: .relaxed)
        logger.info("MQTT subscriber stopped", metadata: ["messages": "\(messagesReceived)"])
    }

    /// Drops the connection without a clean DISCONNECT (tests of the last will) — not used in
    /// normal operation.
    package func stopAbruptly() {
        stopping.store(true, ordering: .relaxed)
        restartWakeup.signal()
        lifecycle.lock()
        defer { lifecycle.unlock() }
        guard let m = handle else { return }
        mosquitto_loop_stop(m, true)
        mosquitto_destroy(m)
        handle = nil
        mosquitto_property_free_all(&connectProperties)
        retained?.release()
        retained = nil
    }

    static func from(_ userdata: UnsafeMutableRawPointer?) -> MQTTSubscriber {
        Unmanaged<MQTTSubscriber>.fromOpaque(userdata!).takeUnretainedValue()
    }

    private func didConnect(_ rc: Int32) {
        guard rc == 0 else {
            noteRefusal("the broker refused the connection (CONNACK \(rc): \(MosquittoLibrary.connackString(rc)))")
            return
        }
        didConnectSuccessfully()
    }

    /// After a successful CONNACK, under either protocol: resubscribe (whatever the broker
    /// says about the session) and announce `online`.
    func didConnectSuccessfully() {
        refusalsInARow.store(0, ordering: .relaxed)
        connectedFlag.store(true, ordering: .relaxed)
        unreadBytes.store(0, ordering: .relaxed)
        let n = connectCount.wrappingAdd(1, ordering: .relaxed).newValue
        guard let m = handle else { return }
        let v5 = options.connection.mqttProtocol == .v5
        for filter in options.subscriptions {
            var mid: Int32 = 0
            let src = v5
                ? mosquitto_subscribe_v5(m, &mid, filter, Int32(options.qos), 0, nil)
                : mosquitto_subscribe(m, &mid, filter, Int32(options.qos))
            if src != MOSQ_ERR_SUCCESS.rawValue {
                logger.error("subscribe failed", metadata: ["filter": "\(filter)", "error": "\(MosquittoLibrary.errorString(src))"])
            } else {
                pendingSubscriptions.withLock { $0[mid] = filter }
            }
        }
        if let status = options.statusTopic {
            let online = Array("online".utf8)
            mosquitto_publish(m, nil, status, Int32(online.count), online, 1, true)
        }
        logger.info(n == 1 ? "connected to broker" : "reconnected to broker; resubscribed", metadata: [
            "broker": "\(options.broker)", "connects": "\(n)",
        ])
    }

    private func didDisconnect(_ rc: Int32) {
        // Read first: libmosquitto ends its loop on EPROTO (an OpenSSL read error, e.g. the
        // broker's TLS alert after the handshake), and logging could change errno.
        let cause = errno
        unreadBytes.store(0, ordering: .relaxed)
        if sinkCoalesces { sink.inputDrained() }
        let hadConnack = connectedFlag.exchange(false, ordering: .relaxed)
        // rc 0: a disconnect we asked for (the TLS restart thread's), nothing to report.
        if stopping.load(ordering: .relaxed) || rc == MOSQ_ERR_SUCCESS.rawValue { return }
        if rc == MOSQ_ERR_TLS.rawValue && options.broker.usesTLS {
            noteTLSFailure(MosquittoLibrary.errorString(rc))
            return
        }
        if rc == MOSQ_ERR_ERRNO.rawValue && cause == EPROTO && options.broker.usesTLS {
            // What the broker's alert said is in libmosquitto's log only when that line wins the
            // race to us; name the usual cause either way.
            noteTLSFailure("the broker ended the TLS session (\(String(cString: strerror(cause)))): it may require a client certificate "
                + "(mqtt.tls_cert_file, tls_key_file) or refuse the one given")
            return
        }
        if MQTTSubscriber.endsLoop(rc) {
            fail(.loopEnded(reason: MosquittoLibrary.errorString(rc)))
            return
        }
        // A broker that accepts the TCP connection and closes it before any CONNACK refuses us
        // as surely as a CONNACK code would, and just as lastingly: mosquitto 2.0 does this to
        // a CONNECT whose will QoS is above a listener's `max_qos`, and plugins that reject
        // silently do the same. Counted, so the daemon does not reconnect deaf forever. Not on
        // TLS: there a close before CONNACK is most often the TLS layer's refusal (a missing
        // client certificate), which the TLS supervision names and counts from libmosquitto's
        // log; counting it here too would race it with a vaguer reason.
        // Only "connection lost" (the peer closed an established connection): a broker that is
        // down gives an errno (ECONNREFUSED) here on the first failed connect, and is retried.
        if !hadConnack && !options.broker.usesTLS && rc == MOSQ_ERR_CONN_LOST.rawValue {
            noteRefusal("the broker closed the connection before answering the CONNECT (\(MosquittoLibrary.errorString(rc))); "
                + "a listener with max_qos 0 does this to our QoS 1 will (mqtt.status_topic)")
            return
        }
        logger.warning("disconnected from broker; reconnecting with backoff", metadata: [
            "reason": "\(MosquittoLibrary.errorString(rc))",
            "backoff": "\(options.reconnectMinSeconds)s…\(options.reconnectMaxSeconds)s",
        ])
    }

    /// The return codes after which libmosquitto 2.0's `mosquitto_loop_forever` (the body of
    /// the `mosquitto_loop_start` thread) returns instead of reconnecting; it reports each to
    /// `on_disconnect` first (lib/loop.c, `mosquitto__loop_rc_handle`), which is how we learn
    /// that the thread is gone.
    static func endsLoop(_ rc: Int32) -> Bool {
        let fatal: [mosq_err_t] = [
            MOSQ_ERR_NOMEM, MOSQ_ERR_PROTOCOL, MOSQ_ERR_INVAL, MOSQ_ERR_NOT_FOUND, MOSQ_ERR_TLS,
            MOSQ_ERR_PAYLOAD_SIZE, MOSQ_ERR_NOT_SUPPORTED, MOSQ_ERR_AUTH, MOSQ_ERR_ACL_DENIED,
            MOSQ_ERR_UNKNOWN, MOSQ_ERR_EAI, MOSQ_ERR_PROXY,
        ]
        return fatal.contains { $0.rawValue == rc }
    }

    /// One entry per filter, in the order of the SUBSCRIBE (we send one filter per SUBSCRIBE).
    /// A code from 0x80 up is a refusal: 3.1.1 only has 0x80; MQTT 5 names the cause (0x87 not
    /// authorised, 0x8F filter invalid, 0x9E shared subscriptions not supported, ...).
    func didSubscribe(mid: Int32, granted: [Int32]) {
        let filter = pendingSubscriptions.withLock { $0.removeValue(forKey: mid) } ?? "(mid \(mid))"
        for g in granted {
            if g >= 0x80 {
                fail(.subscriptionRefused(filter: filter))
            } else if g < options.qos {
                fail(.subscriptionDowngraded(filter: filter, requested: options.qos, granted: Int(g)))
            }
        }
    }

    /// libmosquitto's log, at debug (its lines never carry the password); a TLS error is also the sign
    /// that its network thread is ending (see `superviseTLS`).
    /// libmosquitto's log lines to `didLog`, for both protocol versions' set-up; only where they
    /// are wanted (`MosquittoLibrary.wantsLogCallback`: libmosquitto formats one per packet).
    func installLogCallback(_ m: OpaquePointer) {
        guard MosquittoLibrary.wantsLogCallback(usesTLS: options.broker.usesTLS, logger: logger) else { return }
        mosquitto_log_callback_set(m) { _, userdata, level, text in
            guard let text else { return }
            MQTTSubscriber.from(userdata).didLog(level: level, String(cString: text))
        }
    }

    func didLog(level: Int32, _ text: String) {
        logger.debug("libmosquitto: \(text)")
        if level == MOSQ_LOG_ERR && options.broker.usesTLS && MosquittoLibrary.isTLSFailure(text) {
            noteTLSFailure(text)
        }
    }

    func noteTLSFailure(_ text: String) {
        tlsFailure.withLock { $0 = $0.map { "\($0); \(text)" } ?? text }
        restartWakeup.signal()
    }

    /// Counts a refusal, logs it with the reason, and reports `.refused` at the limit.
    /// Returns false once the limit is reached (no more retries are useful).
    @discardableResult
    func noteRefusal(_ reason: String) -> Bool {
        let n = refusalsInARow.wrappingAdd(1, ordering: .relaxed).newValue
        let limit = options.refusalsBeforeFailure
        logger.error("cannot connect to the broker: \(reason)", metadata: [
            "broker": "\(options.broker)", "refusals_in_a_row": "\(n)",
            "limit": "\(limit == 0 ? "none" : String(limit))",
            "backoff": "\(options.reconnectMinSeconds)s…\(options.reconnectMaxSeconds)s",
        ])
        if limit > 0 && n == limit { fail(.refused(reason: reason, attempts: n)) }
        return limit == 0 || n < limit
    }

    /// Restarts libmosquitto's network thread after a TLS handshake failure, with the same
    /// backoff as reconnects (`reconnect_min_s` doubling up to `reconnect_max_s`), so a broker
    /// with a certificate we do not trust is retried, not hammered, and not given up on
    /// silently. Runs until `stop`, or until the refusal limit is reached.
    private func superviseTLS() {
        var retryOnly = false
        while true {
            if !retryOnly {
                restartWakeup.wait()
                let reason: String? = lifecycle.withLock {
                    guard !stopping.load(ordering: .relaxed), let m = handle else { return nil }
                    // Make sure the network thread has ended (it has, after a handshake
                    // failure; `disconnect` ends it in any other case), then take all it logged.
                    mosquitto_disconnect(m)
                    mosquitto_loop_stop(m, false)
                    return tlsFailure.withLock { f in defer { f = nil }; return f ?? "unknown TLS error" }
                }
                guard let reason else { return }
                while restartWakeup.wait(timeout: .now()) == .success {}
                connectedFlag.store(false, ordering: .relaxed)
                guard noteRefusal("TLS handshake failed: \(reason)") else { return }
            }
            retryOnly = false
            let n = max(1, refusalsInARow.load(ordering: .relaxed))
            let delay = min(Double(options.reconnectMinSeconds) * pow(2, Double(min(n - 1, 20))), Double(options.reconnectMaxSeconds))
            _ = restartWakeup.wait(timeout: .now() + delay)
            let started: Bool = lifecycle.withLock {
                guard !stopping.load(ordering: .relaxed), let m = handle else { return false }
                let rc = mosquitto_reconnect_async(m)
                if rc == MOSQ_ERR_SUCCESS.rawValue {
                    _ = mosquitto_loop_start(m)
                } else if tlsFailure.withLock({ $0 == nil }) {
                    logger.warning("broker not reachable; retrying", metadata: [
                        "broker": "\(options.broker)", "error": "\(MosquittoLibrary.errorString(rc))",
                    ])
                    retryOnly = true
                }
                return true
            }
            guard started else { return }
        }
    }

    /// Logs the failure and hands it to whoever supervises this subscriber.
    func fail(_ failure: SubscriberFailure) {
        logger.critical("MQTT subscriber failure", metadata: ["failure": "\(failure)"])
        failureFeed.continuation.yield(failure)
    }

    func didReceive(_ message: mosquitto_message, _ mosq: OpaquePointer?) {
        let topicLength = message.topic.map { strlen($0) } ?? 0
        let topic = UnsafeRawBufferPointer(start: message.topic, count: topicLength)
        let payload = UnsafeRawBufferPointer(start: message.payload, count: Int(message.payloadlen))
        sink.receive(
            topic: topic, payload: payload, qos: UInt8(clamping: message.qos), retained: message.retain,
            packetID: message.mid, connection: connectCount.load(ordering: .relaxed)
        )
        messageCount.wrappingAdd(1, ordering: .relaxed)
        if sinkCoalesces { noteBurst(message, topicLength: topicLength, mosq) }
    }

    /// Tells a coalescing sink when a burst of QoS 0 messages has ended. libmosquitto reads
    /// exactly one packet's bytes from a plain socket, so unread bytes mean more of the burst is
    /// already here. Under TLS the library may hold decrypted records the socket no longer
    /// shows: the sink is then told early, which is always safe.
    private func noteBurst(_ message: mosquitto_message, topicLength: Int, _ mosq: OpaquePointer?) {
        guard message.qos == 0 else {
            // The sink wrote everything it held before this message.
            unreadBytes.store(0, ordering: .relaxed)
            return
        }
        if wireSizesKnown {
            let left = unreadBytes.load(ordering: .relaxed) - MQTTSubscriber.publishPacketBytes(topic: topicLength, payload: Int(message.payloadlen), qos: 0)
            if left > 0 {
                unreadBytes.store(left, ordering: .relaxed)
                return
            }
        }
        let unread = Int(tinsense_unread_bytes(mosquitto_socket(mosq)))
        unreadBytes.store(unread, ordering: .relaxed)
        if unread == 0 { sink.inputDrained() }
    }

    /// The size of an MQTT 3.1.1 PUBLISH packet: fixed header (type byte, remaining length as a
    /// variable byte integer), topic length and topic, packet id above QoS 0, payload.
    package static func publishPacketBytes(topic: Int, payload: Int, qos: Int) -> Int {
        let remaining = 2 + topic + (qos > 0 ? 2 : 0) + payload
        let lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4
        return 1 + lengthBytes + remaining
    }
}
