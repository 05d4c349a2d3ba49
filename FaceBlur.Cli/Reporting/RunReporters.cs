using Spectre.Console;

namespace FaceBlur.Cli.Reporting;

/// <summary>Picks the report: the live display when standard output is an interactive terminal, plain lines otherwise.</summary>
internal static class RunReporters
{
    public static IRunReporter ForConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        return !Console.IsOutputRedirected && console.Profile.Capabilities.Interactive
            ? new TerminalReporter(console)
            : new PlainReporter(Console.Out);
    }
}
