using System.Diagnostics;
using System.Globalization;

namespace FaceBlur.Tests.Support;

/// <summary>
/// How the suite starts a built program of this repository (the app, the command line) as a child process:
/// <c>dotnet &lt;dll&gt; args</c> from this test's output, optionally under a wrapper command (strace) whose own
/// arguments come first, with both output streams redirected.
/// </summary>
internal static class DotnetChild
{
    /// <summary>
    /// The start info for <paramref name="dll"/> (a file of this test's output) with <paramref name="args"/>; the
    /// environment is <paramref name="defaults"/> overridden by <paramref name="settings"/>, and a variable whose value
    /// is null is removed from what the child inherits.
    /// </summary>
    public static ProcessStartInfo StartInfo(
        string dll,
        IEnumerable<string> args,
        string workingDirectory,
        IReadOnlyDictionary<string, string?> defaults,
        IReadOnlyDictionary<string, string?>? settings,
        IReadOnlyList<string>? wrapper)
    {
        var start = new ProcessStartInfo(wrapper is { Count: > 0 } ? wrapper[0] : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in (wrapper?.Skip(1).Append("dotnet") ?? []).Append(Path.Combine(AppContext.BaseDirectory, dll)).Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        var environment = new Dictionary<string, string?>(defaults);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        return start;
    }

    /// <summary>The first child of <paramref name="pid"/> (the program a wrapper started), or null when it has none yet.</summary>
    public static int? ChildOf(int pid)
    {
        var task = pid.ToString(CultureInfo.InvariantCulture);
        var children = Path.Combine("/proc", task, "task", task, "children");
        var first = File.Exists(children) ? File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() : null;
        return int.TryParse(first, NumberStyles.Integer, CultureInfo.InvariantCulture, out var child) ? child : null;
    }
}
