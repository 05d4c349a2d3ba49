using System.Collections.Concurrent;
using FaceBlur.Cli.Inputs;
using FaceBlur.Cli.Reporting;

namespace FaceBlur.Cli.Run;

/// <summary>What a run did: every outcome, and how many inputs Ctrl+C left unprocessed.</summary>
internal sealed record BatchResult(IReadOnlyList<InputOutcome> Outcomes, int NotProcessed, bool Interrupted, TimeSpan Elapsed);

/// <summary>
/// Runs the inputs, <paramref name="jobs"/> at a time (videos and larger files first, so that the run ends sooner); files
/// that are not media are reported at once. One input's failure never stops the others; cancellation (Ctrl+C) starts no
/// new input and stops the running ones, whose partial copies are deleted.
/// </summary>
internal sealed class BatchRunner(MediaFileProcessor processor, IRunReporter reporter, int jobs)
{
    public async Task<BatchResult> RunAsync(IReadOnlyList<PlannedInput> inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var started = TimeProvider.System.GetTimestamp();
        var outcomes = new ConcurrentQueue<InputOutcome>();
        foreach (var input in inputs.Where(i => !i.IsMedia))
        {
            var outcome = input.IsSkippable ? InputOutcome.Skipped(input) : InputOutcome.Failed(input, input.Problem!, TimeSpan.Zero);
            outcomes.Enqueue(outcome);
            reporter.Finished(outcome);
        }

        var media = inputs.Where(i => i.IsMedia).OrderByDescending(i => i.Kind == MediaKind.Video).ThenByDescending(i => i.Length).ToList();
        var finished = 0;
        try
        {
            await Parallel.ForEachAsync(
                media,
                new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellationToken },
                async (input, token) =>
                {
                    var outcome = await RunOneAsync(input, token);
                    if (outcome is not null)
                    {
                        Interlocked.Increment(ref finished);
                        outcomes.Enqueue(outcome);
                        reporter.Finished(outcome);
                    }
                });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Reported below as the inputs not processed.
        }

        return new BatchResult([.. outcomes], media.Count - finished, cancellationToken.IsCancellationRequested, TimeProvider.System.GetElapsedTime(started));
    }

    /// <summary>The input's outcome; null when Ctrl+C stopped it.</summary>
    private async Task<InputOutcome?> RunOneAsync(PlannedInput input, CancellationToken cancellationToken)
    {
        var progress = reporter.Begin(input);
        try
        {
            return await processor.ProcessAsync(input, progress, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            reporter.Stopped(input);
            return null;
        }
#pragma warning disable CA1031 // One input's unexpected error is that input's failure: the rest of a folder still gets processed.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return InputOutcome.Failed(input, "unexpected error: " + e.Message, TimeSpan.Zero);
        }
    }
}
