import Testing
import TinsenseMQTT

/// MQTT 5 CONNACK and DISCONNECT reason codes sorted into the daemon's two error classes:
/// a refusal is counted towards refusals_before_exit, a transient answer is only retried.
@Suite("MQTT 5 reason codes")
struct V5ReasonCodeTests {
    @Test("credentials, authorisation, bans and unsupported options are refusals", arguments: [
        0x80, 0x81, 0x82, 0x84, 0x85, 0x86, 0x87, 0x8A, 0x8C, 0x95, 0x9A, 0x9B,
    ] as [Int32])
    func refusals(code: Int32) {
        #expect(V5ReasonCode(code).errorClass == .refusal, "\(V5ReasonCode(code))")
    }

    @Test("a busy, unavailable, moving or rate-limiting broker is transient", arguments: [
        0x88, 0x89, 0x8B, 0x8D, 0x8E, 0x96, 0x97, 0x98, 0x9C, 0x9D, 0x9F, 0xA0,
    ] as [Int32])
    func transient(code: Int32) {
        #expect(V5ReasonCode(code).errorClass == .transient, "\(V5ReasonCode(code))")
    }

    @Test("success and normal disconnection (with or without will) are not errors", arguments: [0x00, 0x04] as [Int32])
    func success(code: Int32) {
        #expect(V5ReasonCode(code).errorClass == .success)
    }

    @Test("each code is logged by number and by libmosquitto's name")
    func names() {
        #expect(V5ReasonCode(0x86).description == "0x86 Bad User Name or Password")
        #expect(V5ReasonCode(0x87).description == "0x87 Not authorized")
        #expect(V5ReasonCode(0x9F).description == "0x9F Connection rate exceeded")
        #expect(V5ReasonCode(0x8E).description == "0x8E Session taken over")
    }
}
