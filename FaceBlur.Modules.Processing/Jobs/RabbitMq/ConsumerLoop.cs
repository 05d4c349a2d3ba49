using Microsoft.Extensions.Logging;

namespace FaceBlur.Modules.Processing.Jobs.RabbitMq;

/// <summary>
/// One <c>ConsumeAsync</c> call: runs a <see cref="ConsumerSession"/>, and when it ends or cannot connect, starts a
/// new one after a back-off (1 s doubling to 10 s, from 1 s again after a session that lasted), until stopped. Then
/// waits for the running handlers.
/// </summary>
internal sealed class ConsumerLoop : IDisposable
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    private readonly RabbitMqConnector _connector;
    private readonly RabbitMqQueueOptions _options;
    private readonly ushort _prefetch;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopToken;
    private readonly JobDeliveryHandler _jobs;
    private readonly DeadLetterHandler _deadLetters;

    public ConsumerLoop(
        RabbitMqConnector connector,
        RabbitMqQueueOptions options,
        ushort prefetch,
        Func<JobDelivery, CancellationToken, Task> handler,
        Func<JobMessage, int, CancellationToken, Task> onDeadLetter,
        ILogger logger,
        CancellationToken stopToken)
    {
        _connector = connector;
        _options = options;
        _prefetch = prefetch;
        _logger = logger;
        _stopToken = stopToken;
        _jobs = new JobDeliveryHandler(prefetch, handler, options, logger);
        _deadLetters = new DeadLetterHandler(onDeadLetter, options, connector.Time, logger, stopToken);
    }

    public async Task RunAsync()
    {
        var time = _connector.Time;
        var backoff = MinBackoff;
        try
        {
            while (!_stopToken.IsCancellationRequested)
            {
                var started = time.GetTimestamp();
                try
                {
                    await new ConsumerSession(_connector, _options, _prefetch, _jobs, _deadLetters, _logger, _stopToken)
                        .RunAsync();
                }
                catch (OperationCanceledException) when (_stopToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    _logger.LogWarning(
                        "Job consumer not connected; retrying: Queue={Queue} RetryInSeconds={RetryInSeconds} Error={Error}",
                        _options.QueueName,
                        backoff.TotalSeconds,
                        ex.GetBaseException().Message);
                }

                if (time.GetElapsedTime(started) > MaxBackoff)
                {
                    backoff = MinBackoff; // it ran for a while: start the back-off over
                }

                try
                {
                    await Task.Delay(backoff, time, _stopToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
        finally
        {
            // The connection is closed, so the broker has taken back what the handlers were running.
            await _jobs.WhenAllFinished();
            _logger.LogInformation("Job consumer stopped: Queue={Queue}", _options.QueueName);
        }
    }

    public void Dispose() => _jobs.Dispose();
}
