import CCurl

/// POSTs request bodies to one URL over a kept-alive connection, with libcurl.
///
/// Why libcurl (Debian `libcurl4-openssl-dev`, wrapped like libmosquitto is) and not
/// AsyncHTTPClient: the forwarder is one thread that sends one request at a time and waits
/// for its answer, which is what libcurl's blocking easy interface is; it brings HTTPS,
/// proxies and keep-alive with a distribution's security updates, and costs nothing to
/// build, where AsyncHTTPClient (SwiftNIO and its TLS stack) adds minutes to every clean CI
/// build (docs/OPERATIONS.md, "Build cost", measured the same trade for the /metrics server).
/// Not thread-safe: one poster per thread.
final class HTTPPoster {
    /// What came back: an HTTP status with the start of the response body, or a transport
    /// failure (connection refused, timeout, TLS, …) with libcurl's message.
    enum Outcome: Equatable {
        case response(status: Int, body: String)
        case transportFailure(String)
    }

    /// At most this much of a response body is kept (for the log and the rejected-batch file).
    static let bodyExcerptBytes = 1_024

    let url: String
    private let handle: UnsafeMutableRawPointer
    private let headers: UnsafeMutablePointer<curl_slist>?
    private let sink = ResponseSink()
    private var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    init(url: String, timeoutSeconds: Double, caFile: String?) throws {
        _ = HTTPPoster.globalInit
        guard let h = curl_easy_init() else { throw ForwardError("libcurl: curl_easy_init failed") }
        handle = h
        self.url = url
        // Plain text body; no `Expect: 100-continue` round trip before each batch.
        var list = curl_slist_append(nil, "Content-Type: text/plain; charset=utf-8")
        list = curl_slist_append(list, "Expect:")
        headers = list
        var problems: [String] = []
        func check(_ code: CURLcode, _ what: String) {
            if code != CURLE_OK { problems.append("\(what): \(String(cString: curl_easy_strerror(code)))") }
        }
        check(tinsense_curl_set_string(h, CURLOPT_URL, url), "url")
        check(tinsense_curl_set_long(h, CURLOPT_POST, 1), "post")
        check(tinsense_curl_set_pointer(h, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(list)), "headers")
        // Threads and signals: libcurl must not use SIGALRM for its timeouts.
        check(tinsense_curl_set_long(h, CURLOPT_NOSIGNAL, 1), "nosignal")
        let timeoutMs = max(1, Int(timeoutSeconds * 1000))
        check(tinsense_curl_set_long(h, CURLOPT_TIMEOUT_MS, timeoutMs), "timeout")
        check(tinsense_curl_set_long(h, CURLOPT_CONNECTTIMEOUT_MS, min(timeoutMs, 5_000)), "connect timeout")
        check(tinsense_curl_set_string(h, CURLOPT_PROTOCOLS_STR, "http,https"), "protocols")
        check(tinsense_curl_set_long(h, CURLOPT_FOLLOWLOCATION, 0), "redirects")
        if let caFile { check(tinsense_curl_set_string(h, CURLOPT_CAINFO, caFile), "ca file") }
        check(tinsense_curl_set_write_function(h) { data, size, count, user in
            guard let data, let user else { return 0 }
            let n = size * count
            Unmanaged<ResponseSink>.fromOpaque(user).takeUnretainedValue().take(UnsafeRawBufferPointer(start: data, count: n))
            return n
        }, "write function")
        check(tinsense_curl_set_pointer(h, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque()), "write data")
        if !problems.isEmpty {
            curl_easy_cleanup(h)
            curl_slist_free_all(list)
            throw ForwardError("libcurl refused an option: \(problems.joined(separator: "; "))")
        }
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headers)
    }

    /// Sends `body` and waits for the answer (at most the timeout).
    func post(_ body: [UInt8]) -> Outcome {
        sink.reset()
        errorBuffer[0] = 0
        let code: CURLcode = body.withUnsafeBytes { b in
            errorBuffer.withUnsafeMutableBufferPointer { e in
                _ = tinsense_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(e.baseAddress))
                _ = tinsense_curl_set_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: b.baseAddress))
                _ = tinsense_curl_set_post_size(handle, Int64(b.count))
                let code = curl_easy_perform(handle)
                // The buffers are only lent for this call.
                _ = tinsense_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, nil)
                _ = tinsense_curl_set_pointer(handle, CURLOPT_POSTFIELDS, nil)
                return code
            }
        }
        guard code == CURLE_OK else {
            let detail = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            return .transportFailure(detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        }
        var status = 0
        _ = tinsense_curl_response_code(handle, &status)
        return .response(status: status, body: sink.text)
    }
}

/// Collects the first bytes of a response body (libcurl's write callback target).
private final class ResponseSink {
    private var bytes: [UInt8] = []

    func reset() { bytes.removeAll(keepingCapacity: true) }

    func take(_ chunk: UnsafeRawBufferPointer) {
        let room = HTTPPoster.bodyExcerptBytes - bytes.count
        if room > 0 { bytes.append(contentsOf: chunk.prefix(room)) }
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// A forwarder set-up failure, named for the operator.
struct ForwardError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
