using System.Collections.Concurrent;
using FaceBlur.Modules.Processing.Jobs;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// A few threads of one video run, for its CPU work (face detection) and for starting its ffmpeg processes: with a nice
/// value above 0 they run below request handling, and so do the ffmpeg processes started from them (a child inherits
/// the priority of the thread that starts it). Not the shared thread pool: that pool serves the HTTP requests, whose
/// latency must not depend on how many videos are being processed.
/// </summary>
internal sealed class FrameThreads : IDisposable
{
    private readonly BlockingCollection<Action> work = [];
    private readonly Thread[] threads;

    public FrameThreads(int count, int nice, string name)
    {
        threads = new Thread[Math.Max(1, count)];
        for (var i = 0; i < threads.Length; i++)
        {
            threads[i] = new Thread(() => Loop(nice)) { IsBackground = true, Name = name };
            threads[i].Start();
        }
    }

    /// <summary>Runs <paramref name="function"/> on one of the threads.</summary>
    public Task<T> RunAsync<T>(Func<T> function)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        work.Add(() =>
        {
            try
            {
                done.SetResult(function());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task;
    }

    /// <summary>Lets the threads finish the work already given, then ends them.</summary>
    public void Dispose()
    {
        work.CompleteAdding();
        foreach (var thread in threads)
        {
            thread.Join();
        }

        work.Dispose();
    }

    private void Loop(int nice)
    {
        if (nice > 0)
        {
            WorkerThreadPriority.Lower(nice);
        }

        foreach (var item in work.GetConsumingEnumerable())
        {
            item();
        }
    }
}
