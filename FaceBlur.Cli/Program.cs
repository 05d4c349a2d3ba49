using System.CommandLine;
using FaceBlur.Cli;

// faceblur: parse (bad usage prints the errors and the usage, exit code 2), then run with Ctrl+C as a clean stop.
using var signals = new InterruptSignals();
var commandLine = new CommandLine();
var parsed = commandLine.Root.Parse(args);
if (parsed.Errors.Count > 0)
{
    parsed.Invoke(new InvocationConfiguration { Output = Console.Error, Error = Console.Error });
    return ExitCodes.Usage;
}

commandLine.Root.SetAction((result, _) => RunCommand.RunAsync(commandLine.Request(result), signals));
// Signals are handled by InterruptSignals: System.CommandLine's own handling would end the process before ffmpeg is stopped.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, signals.Token);
