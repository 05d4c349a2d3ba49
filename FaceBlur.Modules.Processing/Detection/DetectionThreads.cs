using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using FaceBlur.Modules.Processing.Jobs;

namespace FaceBlur.Modules.Processing.Detection;

/// <summary>
/// One thread per core for the tiles of photos: every tile is one network run, and the tiles of one photo run on all
/// cores at once. Not the shared thread pool, which serves HTTP requests: with a nice value above 0 these threads run
/// below request handling, as the job workers that call the detector do. Photos detected at the same time share the
/// threads, so the cores are not oversubscribed however many jobs run.
/// </summary>
internal sealed class DetectionThreads : IDisposable
{
    private readonly BlockingCollection<Action> work = [];
    private readonly Thread[] threads;

    public DetectionThreads(int count, int nice)
    {
        threads = new Thread[Math.Max(1, count)];
        for (var i = 0; i < threads.Length; i++)
        {
            threads[i] = new Thread(() => Loop(nice)) { IsBackground = true, Name = "face-detection" };
            threads[i].Start();
        }
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
