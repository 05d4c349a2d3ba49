using System.Globalization;
using FaceBlur.Cli.Inputs;
using FaceBlur.Cli.Run;
using Spectre.Console;

namespace FaceBlur.Cli.Reporting;

/// <summary>
/// The live display on a terminal: an overall bar (inputs done, time left) above one bar per input being processed
/// (a video's with its frames and time left); a line per input as it ends is printed above the bars, which are cleared
/// at the end, before the summary.
/// </summary>
internal sealed class TerminalReporter(IAnsiConsole console) : IRunReporter
{
    private readonly Lock state = new();
    private readonly Dictionary<PlannedInput, InputBar> running = [];
    private ProgressContext? context;
    private ProgressTask? overall;
    private int mediaCount;
    private int ended;
    private long endedBytes;

    public async Task<T> ShowAsync<T>(IReadOnlyList<PlannedInput> media, Func<Task<T>> run)
    {
        ArgumentNullException.ThrowIfNull(media);
        ArgumentNullException.ThrowIfNull(run);
        mediaCount = media.Count;
        var totalBytes = media.Sum(i => Math.Max(1, i.Length));
        return await console.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                lock (state)
                {
                    context = progress;
                    overall = progress.AddTask(OverallText(), maxValue: Math.Max(1, totalBytes));
                }

                var result = await run();
                overall.StopTask();
                return result;
            });
    }

    public IInputProgress Begin(PlannedInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        lock (state)
        {
            var task = context!.AddTask(Markup.Escape(input.DisplayPath), maxValue: 1);
            task.IsIndeterminate = true;
            var bar = new InputBar(this, input, task);
            running[input] = bar;
            return bar;
        }
    }

    public void Finished(InputOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        lock (state)
        {
            var position = "";
            if (outcome.Input.IsMedia)
            {
                ended++;
                endedBytes += Math.Max(1, outcome.Input.Length);
                position = $"[{ended}/{mediaCount}] ";
                End(outcome.Input);
            }

            var colour = outcome.Status switch
            {
                OutcomeStatus.Done => "green",
                OutcomeStatus.Failed => "red",
                _ => "yellow",
            };
            console.MarkupLine($"[{colour}]{RunSummary.Word(outcome.Status)}[/] {Markup.Escape(position + RunSummary.Line(outcome))}");
        }
    }

    public void Stopped(PlannedInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        lock (state)
        {
            End(input);
            console.MarkupLine($"[grey]stopped[/] {Markup.Escape(input.DisplayPath)}: interrupted, no copy written");
        }
    }

    public void Summary(RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (summary.Failures.Count > 0)
        {
            console.MarkupLine("[red]Failed:[/]");
            foreach (var failure in summary.Failures)
            {
                console.MarkupLine("  " + Markup.Escape(RunSummary.Line(failure)));
            }
        }

        var headline = Markup.Escape(summary.Headline());
        console.MarkupLine(summary.Interrupted ? $"[yellow]Interrupted:[/] {headline}" : summary.Failed > 0 ? $"[red]{headline}[/]" : $"[green]{headline}[/]");
    }

    /// <summary>Removes an input's bar; caller holds <see cref="state"/>.</summary>
    private void End(PlannedInput input)
    {
        if (running.Remove(input, out var bar))
        {
            bar.Task.Value = bar.Task.MaxValue;
            bar.Task.StopTask();
        }

        UpdateOverall();
    }

    /// <summary>
    /// The overall bar counts bytes (of inputs ended, and the share done of those running), not files: a video weighs
    /// as much as its size, so the time left is not that of a few photos. Caller holds <see cref="state"/>.
    /// </summary>
    private void UpdateOverall()
    {
        if (overall is null)
        {
            return;
        }

        overall.Value = endedBytes + running.Values.Sum(b => b.Fraction * Math.Max(1, b.Input.Length));
        overall.Description = OverallText();
    }

    private string OverallText() => $"[bold]{ended}/{mediaCount} files[/]";

    private sealed class InputBar(TerminalReporter owner, PlannedInput input, ProgressTask task) : IInputProgress
    {
        private long? frames;

        public PlannedInput Input { get; } = input;

        public ProgressTask Task { get; } = task;

        public double Fraction { get; private set; }

        public void Started(long? frames)
        {
            lock (owner.state)
            {
                this.frames = frames;
                Task.IsIndeterminate = frames is null;
            }
        }

        public void Report(double fraction)
        {
            lock (owner.state)
            {
                Fraction = Math.Clamp(fraction, 0, 1);
                Task.Value = Fraction;
                if (frames is { } total)
                {
                    var done = (long)Math.Round(Fraction * total);
                    Task.Description = Markup.Escape(Input.DisplayPath) + string.Create(CultureInfo.InvariantCulture, $" [grey]frame {done}/{total}[/]");
                }

                owner.UpdateOverall();
            }
        }
    }
}
