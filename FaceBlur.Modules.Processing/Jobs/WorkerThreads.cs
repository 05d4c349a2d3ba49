using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>
/// A few threads of their own for a job's CPU work: the tiles of photos (one thread per core, shared by the photos
/// detected at once so the cores are not oversubscribed) and a video run's detection and the starting of its ffmpeg
/// processes. With a nice value above 0 they run below request handling, and so do the ffmpeg processes started from
/// them (a child inherits the priority of the thread that starts it). Not the shared thread pool: that pool serves the
/// HTTP requests, whose latency must not depend on how much is being processed.
/// </summary>
internal sealed class WorkerThreads : IDisposable
{
    private readonly BlockingCollection<Action> work = [];
    private readonly Thread[] threads;

    public WorkerThreads(int count, int nice, string name)
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

    /// <summary>
    /// Runs every job and returns when all have ended; the first exception is rethrown. Once
    /// <paramref name="cancellationToken"/> is cancelled no further job starts (those running finish, each one network
    /// run) and <see cref="OperationCanceledException"/> is thrown.
    /// </summary>
    public void RunAll(IReadOnlyList<Action> jobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        if (jobs.Count == 0)
        {
            return;
        }

        using var done = new CountdownEvent(jobs.Count);
        ExceptionDispatchInfo? failure = null;
        foreach (var job in jobs)
        {
            work.Add(() =>
            {
                try
                {
                    if (!cancellationToken.IsCancellationRequested && Volatile.Read(ref failure) is null)
                    {
                        job();
                    }
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
                }
                finally
                {
                    done.Signal();
                }
            },
            CancellationToken.None);
        }

        done.Wait(CancellationToken.None);
        failure?.Throw();
        cancellationToken.ThrowIfCancellationRequested();
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
