using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>
/// The job layer's instruments on the service's meter. The exporter turns the dotted names into Prometheus ones
/// (<c>faceblur.jobs.completed</c> -> <c>faceblur_jobs_completed_total</c>, unit s -> <c>_seconds</c>). The two gauges read
/// the queue and the store through a short cache refreshed in the background, so a scrape never waits on a broker.
/// </summary>
public sealed partial class JobMetrics : IDisposable
{
    public const string MeterName = "FaceBlur";

    /// <summary>How old a gauge reading may be before a scrape asks for a fresh one.</summary>
    internal static readonly TimeSpan GaugeMaxAge = TimeSpan.FromSeconds(2);

    /// <summary>How long a scrape waits for that fresh reading before it answers with the last one.</summary>
    internal static readonly TimeSpan GaugeWait = TimeSpan.FromMilliseconds(500);

    private static readonly double[] DurationBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

    private readonly Meter _meter;
    private readonly Counter<long> _submitted;
    private readonly Counter<long> _completed;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _queueWait;
    private readonly Counter<long> _faces;
    private readonly Counter<long> _frames;
    private readonly IJobQueue _queue;
    private readonly IJobStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<JobMetrics> _logger;
    private readonly Lock _gate = new();
    private Task? _refresh;
    private long _refreshedAt = long.MinValue;
    private long _queued;
    private int _processing;

    public JobMetrics(IMeterFactory meterFactory, IJobQueue queue, IJobStore store, TimeProvider time, ILogger<JobMetrics> logger)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _queue = queue;
        _store = store;
        _time = time;
        _logger = logger;
        _meter = meterFactory.Create(MeterName);
        var seconds = new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets };
        _submitted = _meter.CreateCounter<long>("faceblur.jobs.submitted", description: "Jobs accepted (202) and queued, by kind.");
        _completed = _meter.CreateCounter<long>("faceblur.jobs.completed", description: "Jobs that ended, by kind and outcome (succeeded|failed).");
        _duration = _meter.CreateHistogram("faceblur.job.duration", "s", "Processing time of a job, from start to stored result.", advice: seconds);
        _queueWait = _meter.CreateHistogram("faceblur.queue.wait", "s", "Time a job waited in the queue before a worker started it.", advice: seconds);
        _faces = _meter.CreateCounter<long>("faceblur.faces.detected", description: "Faces found and hidden in succeeded jobs.");
        _frames = _meter.CreateCounter<long>("faceblur.video.frames.processed", description: "Video frames processed by succeeded video jobs.");
        // Every series a dashboard reads exists from the start (at 0), so rate() and sums never see it missing.
        foreach (var k in new[] { JobKind.Images, JobKind.Video })
        {
            var kindTag = new KeyValuePair<string, object?>("kind", KindLabel(k));
            _completed.Add(0, kindTag, new KeyValuePair<string, object?>("outcome", "succeeded"));
            _completed.Add(0, kindTag, new KeyValuePair<string, object?>("outcome", "failed"));
            _faces.Add(0, kindTag);
        }

        _frames.Add(0);
        _meter.CreateObservableGauge("faceblur.queue.depth", () => ReadGauges().Queued, description: "Jobs waiting in the queue (all instances).");
        _meter.CreateObservableGauge("faceblur.jobs.in_progress", () => ReadGauges().Processing, description: "Jobs processing right now (all instances sharing the job store).");
    }

    public static string KindLabel(JobKind kind) => kind == JobKind.Images ? "images" : "video";

    /// <summary>A job was accepted and queued.</summary>
    public void Submitted(JobKind kind) => _submitted.Add(1, new KeyValuePair<string, object?>("kind", KindLabel(kind)));

    /// <summary>A worker started a job that was enqueued at <paramref name="enqueuedAt"/>.</summary>
    public void Started(DateTimeOffset enqueuedAt)
    {
        var wait = _time.GetUtcNow() - enqueuedAt;
        _queueWait.Record(Math.Max(0, wait.TotalSeconds));
    }

    /// <summary>A job ended (stored as succeeded or failed).</summary>
    public void Ended(JobEnded ended)
    {
        ArgumentNullException.ThrowIfNull(ended);
        var kind = new KeyValuePair<string, object?>("kind", KindLabel(ended.Kind));
        _completed.Add(1, kind, new KeyValuePair<string, object?>("outcome", ended.Succeeded ? "succeeded" : "failed"));
        _duration.Record(ended.Duration.TotalSeconds, kind);
        if (ended.Succeeded)
        {
            _faces.Add(ended.Faces, kind);
            if (ended.VideoFrames > 0)
            {
                _frames.Add(ended.VideoFrames);
            }
        }
    }

    /// <summary>A job dead-lettered after its delivery limit: failed, without a duration of its own.</summary>
    public void DeadLettered(JobKind kind) =>
        _completed.Add(1, new KeyValuePair<string, object?>("kind", KindLabel(kind)), new KeyValuePair<string, object?>("outcome", "failed"));

    public void Dispose() => _meter.Dispose();

    private (long Queued, int Processing) ReadGauges()
    {
        Task? refresh;
        lock (_gate)
        {
            if (_refresh is null && (_refreshedAt == long.MinValue || _time.GetElapsedTime(_refreshedAt) > GaugeMaxAge))
            {
                _refresh = Task.Run(RefreshAsync);
            }

            refresh = _refresh;
        }

        // Observable callbacks are synchronous: wait briefly for a fresh reading, else answer with the last one.
        refresh?.Wait(GaugeWait);
        return (Interlocked.Read(ref _queued), Volatile.Read(ref _processing));
    }

    private async Task RefreshAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var stats = await _queue.GetStatsAsync(timeout.Token).ConfigureAwait(false);
            var processing = await _store.CountProcessingAsync(timeout.Token).ConfigureAwait(false);
            Interlocked.Exchange(ref _queued, stats.Queued);
            Volatile.Write(ref _processing, processing);
        }
        catch (Exception ex) when (ex is JobQueueUnavailableException or JobStoreUnavailableException or OperationCanceledException)
        {
            LogGaugesUnavailable(_logger, ex.Message);
        }
        finally
        {
            lock (_gate)
            {
                _refreshedAt = _time.GetTimestamp();
                _refresh = null;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Queue gauges not refreshed: {Reason}")]
    private static partial void LogGaugesUnavailable(ILogger logger, string reason);
}
