import TinsenseConfig

/// Where SIGHUP re-reads the config from: the same file `tinsense run` started with, with the
/// same command-line overrides (`--broker`, `--data`) applied, so they do not read as changes.
package struct ReloadSource: Sendable {
    package let path: String
    package let load: @Sendable () -> Result<Config, ConfigError>

    package init(path: String, load: @escaping @Sendable () -> Result<Config, ConfigError>) {
        self.path = path
        self.load = load
    }
}
