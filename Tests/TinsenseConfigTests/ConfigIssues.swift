import TinsenseConfig

/// What the loader refuses in `text`, as its FILE:LINE issues; none when it loads.
func issues(_ text: String, file: String = "test.toml") -> [ConfigIssue] {
    do {
        _ = try ConfigLoader.parse(text, file: file)
        return []
    } catch {
        return error.issues
    }
}
