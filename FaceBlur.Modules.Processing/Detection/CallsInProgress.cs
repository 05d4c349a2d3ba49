namespace FaceBlur.Modules.Processing.Detection;

/// <summary>
/// Counts the detector calls running in native code so that disposing the detector waits for them: freeing a network
/// while a thread is inside it ends the process (SIGSEGV). A host that stops disposes its singletons while a job's
/// thread may still be detecting (a job stopped at its time limit, or one the stopping host no longer waits for).
/// </summary>
internal sealed class CallsInProgress : IDisposable
{
    /// <summary>How long <see cref="TryEndAll"/> waits for running calls before the caller gives up freeing memory.</summary>
    public static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(30);

    // One count is the owner's own; it is given back by TryEndAll, so the count reaches 0 only once the owner closed.
    private int count = 1;
    private readonly ManualResetEventSlim idle = new(false);

    /// <summary>Starts a call; throws <see cref="ObjectDisposedException"/> once the owner was disposed.</summary>
    public Call Enter(object owner)
    {
        while (true)
        {
            var current = Volatile.Read(ref count);
            ObjectDisposedException.ThrowIf(current == 0, owner);
            if (Interlocked.CompareExchange(ref count, current + 1, current) == current)
            {
                return new Call(this);
            }
        }
    }

    /// <summary>
    /// Refuses new calls and waits up to <paramref name="wait"/> for those running. False when some are still running:
    /// the caller then leaves its native memory to the process's end rather than free it under a running call.
    /// </summary>
    public bool TryEndAll(TimeSpan wait)
    {
        Exit();
        return idle.Wait(wait);
    }

    public void Dispose() => idle.Dispose();

    private void Exit()
    {
        if (Interlocked.Decrement(ref count) == 0)
        {
            idle.Set();
        }
    }

    /// <summary>One running call; disposing it ends the call.</summary>
    public readonly struct Call(CallsInProgress calls) : IDisposable
    {
        public void Dispose() => calls.Exit();
    }
}
