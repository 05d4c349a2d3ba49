namespace FaceBlur.Modules.Processing.Jobs.RabbitMq;

/// <summary>
/// A token cancelled by the caller's tokens or once <c>delay</c> has passed on the <see cref="TimeProvider"/>
/// (a linked source's own <c>CancelAfter</c> would run on the system clock).
/// </summary>
internal sealed class Deadline : IDisposable
{
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenSource _linked;

    public Deadline(TimeSpan delay, TimeProvider time, CancellationToken first, CancellationToken second = default)
    {
        _timer = new CancellationTokenSource(delay, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(first, second, _timer.Token);
    }

    public CancellationToken Token => _linked.Token;

    public void Dispose()
    {
        _linked.Dispose();
        _timer.Dispose();
    }
}
