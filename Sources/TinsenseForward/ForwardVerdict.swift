/// What the forwarder does after a request, decided from its outcome alone.
///
/// The line between "wait" and "set aside" is the daemon's usual one (`ErrorClass`): an
/// answer that says nothing about the batch (the database is away, overloaded, or the URL
/// or credentials are wrong) is waited out with the spool kept, because throwing readings
/// away cannot fix it; an answer that blames the batch would come back on every retry, so
/// the batch is recorded in `rejected.jsonl` and the next one goes, and nothing wedges.
enum ForwardVerdict: Equatable {
    /// 2xx: the batch is stored; move the cursor.
    case accepted
    /// Retry the same batch after a backoff: transport failures, 408, 429, 5xx, and the
    /// answers that are about the endpoint rather than the batch (3xx, 401, 403, 404, 405, 407).
    case retry(String)
    /// 413: the same readings in smaller requests.
    case split
    /// Any other 4xx: the batch itself is refused; set it aside and go on.
    case rejected(status: Int, body: String)

    init(_ outcome: HTTPPoster.Outcome, batchSize: Int) {
        switch outcome {
        case .transportFailure(let why):
            self = .retry(why)
        case .response(let status, let body):
            switch status {
            case 200..<300: self = .accepted
            case 413 where batchSize > 1: self = .split
            case 408, 429: self = .retry("HTTP \(status)")
            case 401, 403, 404, 405, 407: self = .retry("HTTP \(status) (check forward.url and the database's access rules): \(body.prefix(200))")
            case 400..<500: self = .rejected(status: status, body: body)
            default: self = .retry("HTTP \(status)\(body.isEmpty ? "" : ": \(body.prefix(200))")")
            }
        }
    }
}
