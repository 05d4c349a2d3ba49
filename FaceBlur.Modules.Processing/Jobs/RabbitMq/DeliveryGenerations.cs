namespace FaceBlur.Modules.Processing.Jobs.RabbitMq;

/// <summary>
/// The deliveries of one channel incarnation. When the channel shuts down (connection lost, even if the client
/// recovers the channel later) its deliveries can no longer be settled and the broker delivers them again, so their
/// handlers are cancelled.
/// </summary>
internal sealed class DeliveryGeneration(CancellationToken stopToken) : IDisposable
{
    private readonly CancellationTokenSource _cts = CancellationTokenSource.CreateLinkedTokenSource(stopToken);
    private volatile bool _stale;

    /// <summary>Cancelled when the generation went stale or the consumer stops.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>Its deliveries may no longer be acknowledged or returned.</summary>
    public bool Stale => _stale;

    public void MarkStale()
    {
        _stale = true;
        try
        {
            _cts.Cancel();
        }
        catch (AggregateException)
        {
            // A handler's cancellation callback threw; the handler sees the cancellation anyway.
        }
    }

    public void Dispose() => _cts.Dispose();
}

/// <summary>The generations of the job channel of one consumer session, the newest current.</summary>
internal sealed class DeliveryGenerations(CancellationToken stopToken) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<DeliveryGeneration> _generations = [new DeliveryGeneration(stopToken)];

    public DeliveryGeneration Current
    {
        get
        {
            lock (_lock)
            {
                return _generations[^1];
            }
        }
    }

    /// <summary>The channel shut down: what it delivered so far is stale, what comes after recovery is new.</summary>
    public void StartNew()
    {
        DeliveryGeneration old;
        lock (_lock)
        {
            if (_generations.Count == 0)
            {
                return; // a shutdown reported after the session ended: nothing left to cancel
            }

            old = _generations[^1];
            _generations.Add(new DeliveryGeneration(stopToken));
        }

        old.MarkStale();
    }

    /// <summary>
    /// The session ends without the consumer stopping: every delivery is stale. When stopping, handlers are cancelled
    /// through the stop token but a handler that finishes anyway may still acknowledge while its channel is open.
    /// </summary>
    public void End()
    {
        lock (_lock)
        {
            foreach (var generation in _generations)
            {
                if (!generation.Stale && !stopToken.IsCancellationRequested)
                {
                    generation.MarkStale();
                }
            }
        }
    }

    /// <summary>After <see cref="End"/>: every generation is cancelled, so tokens held by handlers stay cancelled.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var generation in _generations)
            {
                generation.Dispose();
            }

            _generations.Clear();
        }
    }
}
