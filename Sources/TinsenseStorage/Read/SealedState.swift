import TinsenseCore

/// What is sealed in a data directory at one moment, as a reader outside the daemon sees it:
/// the segment files and the WAL checkpoint they (or `segments/checkpoint`) carry.
///
/// A reader of the WAL tail reads from the checkpoint of one taken before, and merges with
/// the segments of one taken after (docs/FORMAT.md, "Reading fresh data").
public struct SealedState: Equatable, Sendable {
    /// Segment files, oldest first.
    public var segmentFiles: [String]
    /// The WAL position up to which every message is in `segmentFiles`; nil = the whole WAL.
    public var checkpoint: WALPosition?
}

extension DataDirectory {
    /// Lists the segments and finds the newest checkpoint: the newest segment that carries one
    /// (checkpoints only grow with the sequence) and `segments/checkpoint`, whichever is later.
    ///
    /// `segments/checkpoint` is read before the listing: it may then be older than the listed
    /// segments, never newer (a newer one could vouch for a segment the listing missed).
    public func sealedState() throws -> SealedState {
        var checkpoint = CheckpointFile.read(directory: segmentsPath)
        let files = try segmentFiles()
        for path in files.reversed() {
            // A segment retention deleted since the listing, or a damaged one, carries nothing
            // we can trust; the next older one still bounds the checkpoint from below.
            guard let index = try? SegmentFile(path: path).index, let c = index.checkpoint else { continue }
            checkpoint = max(checkpoint ?? c, c)
            break
        }
        return SealedState(segmentFiles: files, checkpoint: checkpoint)
    }
}
