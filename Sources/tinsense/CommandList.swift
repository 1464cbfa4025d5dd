import ArgumentParser

/// Every subcommand, in the order `--help` lists them.
enum CommandList {
    static let all: [any ParsableCommand.Type] = [
        RunCommand.self,
        CheckConfigCommand.self,
        SimulateCommand.self,
    ]
}
