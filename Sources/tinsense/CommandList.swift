import ArgumentParser

/// Every subcommand, in the order `--help` lists them.
enum CommandList {
    static let all: [any ParsableCommand.Type] = [
        RunCommand.self,
        CheckConfigCommand.self,
        SimulateCommand.self,
        ImportCommand.self,
        ExportCommand.self,
        InspectCommand.self,
        PlotCommand.self,
        VerifyCommand.self,
        ScoreCommand.self,
        EvaluateCommand.self,
        AlertsCommand.self,
        RecordCommand.self,
        ReplayCommand.self,
    ]
}
