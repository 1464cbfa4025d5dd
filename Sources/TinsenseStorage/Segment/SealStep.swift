/// The durable steps of sealing, in order. Tests observe them to stop "the process" between
/// any two and check that a restart neither shows a partial segment nor loses or duplicates
/// a reading.
enum SealStep: String, CaseIterable, Sendable {
    /// Every byte of `NNNNNNNN.seg.tmp` written, not yet fsynced.
    case temporaryWritten
    /// The temporary file fsynced and closed.
    case temporarySynced
    /// Renamed to `NNNNNNNN.seg`, directory not yet fsynced.
    case renamed
    /// Directory fsynced: the segment is durable.
    case directorySynced
    /// WAL rotated and files before the checkpoint deleted.
    case walTrimmed
}
