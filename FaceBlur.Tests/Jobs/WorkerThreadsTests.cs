using System.Collections.Concurrent;
using System.Globalization;
using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Tests.Support;
using FaceBlur.Tests.Video;

namespace FaceBlur.Tests.Jobs;

/// <summary>The threads jobs' CPU work runs on (tiles of photos, video frames): below request handling when asked, all jobs run, failures surface.</summary>
[Unit]
public class WorkerThreadsTests
{
    private static int NiceOfThisThread() =>
        int.Parse(VideoTestMedia.Stat("thread-self").Fields[16], CultureInfo.InvariantCulture);

    [Test]
    public void Every_job_runs_on_the_threads_at_their_nice_value()
    {
        using var threads = new WorkerThreads(2, nice: 7, "test");
        var nice = new ConcurrentBag<int>();
        var callers = new ConcurrentBag<int>();

        threads.RunAll([.. Enumerable.Range(0, 20).Select(_ => (Action)(() =>
        {
            nice.Add(NiceOfThisThread());
            callers.Add(Environment.CurrentManagedThreadId);
        }))], CancellationToken.None);

        nice.Should().HaveCount(20).And.OnlyContain(n => n == 7, "tiles run below request handling");
        callers.Should().NotContain(Environment.CurrentManagedThreadId, "the caller waits; the tile threads work");
    }

    [Test]
    public void The_first_failure_of_a_job_is_rethrown_after_the_others_end()
    {
        using var threads = new WorkerThreads(2, nice: 0, "test");
        var ran = 0;

        var run = () => threads.RunAll(
            [() => throw new InvalidOperationException("tile failed"), .. Enumerable.Range(0, 5).Select(_ => (Action)(() => Interlocked.Increment(ref ran)))],
            CancellationToken.None);

        run.Should().Throw<InvalidOperationException>().WithMessage("tile failed");
        threads.RunAll([() => Interlocked.Increment(ref ran)], CancellationToken.None);
        ran.Should().BeGreaterThan(0, "the threads still serve later searches");
    }
}
