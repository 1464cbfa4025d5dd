import Foundation

/// A minimal MQTT 3.1.1 client over a plain socket that sends exactly the bytes it is given:
/// topics that libmosquitto's client refuses to build (invalid UTF-8, NUL) must still be
/// shown to be harmless when a broker passes them on, or when it drops the connection.
package final class RawMQTTClient {
    private let fd: Int32

    /// Connects to 127.0.0.1:`port` and sends CONNECT (clean session) with `clientID`.
    package init(port: Int, clientID: String) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(fd); throw TestFailure("cannot connect to 127.0.0.1:\(port)") }
        var body: [UInt8] = [0, 4] + Array("MQTT".utf8) + [4, 0x02, 0, 30]
        body += RawMQTTClient.string(Array(clientID.utf8))
        try send(0x10, body)
        _ = readPacket()  // CONNACK
    }

    deinit { close(fd) }

    /// PUBLISH with raw topic bytes; at QoS 1 waits (≤ 5 s) for the PUBACK and returns whether
    /// one came (a broker that refuses the topic closes the connection instead).
    @discardableResult
    package func publish(topic: [UInt8], payload: [UInt8], qos: UInt8 = 1, packetID: UInt16 = 1) throws -> Bool {
        var body = RawMQTTClient.string(topic)
        if qos > 0 { body += [UInt8(packetID >> 8), UInt8(packetID & 0xFF)] }
        body += payload
        try send(0x30 | (qos << 1), body)
        guard qos > 0 else { return true }
        return readPacket()?.type == 0x40
    }

    private static func string(_ bytes: [UInt8]) -> [UInt8] { [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes }

    private func send(_ header: UInt8, _ body: [UInt8]) throws {
        var packet: [UInt8] = [header]
        var n = body.count
        repeat {
            var byte = UInt8(n % 128)
            n /= 128
            if n > 0 { byte |= 0x80 }
            packet.append(byte)
        } while n > 0
        packet += body
        var sent = 0
        while sent < packet.count {
            let w = packet[sent...].withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard w > 0 else { throw TestFailure("send failed: the broker closed the connection") }
            sent += w
        }
    }

    /// The next packet's type nibble (shifted) within 5 s; nil on timeout or a closed socket.
    private func readPacket() -> (type: UInt8, body: [UInt8])? {
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        func byte() -> UInt8? {
            var b: UInt8 = 0
            return recv(fd, &b, 1, 0) == 1 ? b : nil
        }
        guard let header = byte() else { return nil }
        var length = 0, shift = 0
        while let b = byte() {
            length |= Int(b & 0x7F) << shift
            shift += 7
            if b & 0x80 == 0 { break }
        }
        var body: [UInt8] = []
        while body.count < length, let b = byte() { body.append(b) }
        return (header & 0xF0, body)
    }
}
