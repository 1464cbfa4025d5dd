#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a failed write or read means for the daemon: wait for it to pass, or give up on the
/// one reading it was about.
///
/// The distinction is the difference between pausing and wedging: a full disk clears by
/// itself (or by an operator), so ingestion waits with the broker holding the backlog; an
/// error that comes from one reading's content (a value, a unit, a sensor id, a corrupt
/// chunk that reading's duplicate check needs) recurs on every retry, so retrying it would
/// stop every other sensor for good.
public enum ErrorClass: Sendable, Equatable {
    /// Disk full, I/O error, out of memory, interrupted: retry with backoff, pausing intake.
    case transient
    /// Will fail the same way every time for this reading: quarantine it and go on.
    case permanentForReading

    /// How an errno from a file operation is treated: space, quota, I/O and resource
    /// shortages pass; everything else (bad descriptor, permission, read-only file system,
    /// name too long, …) does not.
    public static func of(errno e: Int32) -> ErrorClass {
        switch e {
        case ENOSPC, EDQUOT, EIO, EAGAIN, EINTR, ENOMEM: .transient
        default: .permanentForReading
        }
    }

    /// The class an error declares (`ClassifiedError`); an error that declares none is
    /// permanent, because retrying an error nobody understands is how a daemon wedges.
    public static func of(_ error: any Error) -> ErrorClass {
        (error as? any ClassifiedError)?.errorClass ?? .permanentForReading
    }
}

/// An error that knows whether retrying it can help.
public protocol ClassifiedError: Error {
    var errorClass: ErrorClass { get }
}

extension PosixIO.Failure: ClassifiedError {
    public var errorClass: ErrorClass { ErrorClass.of(errno: errno) }
}
