using System.Diagnostics.Metrics;

namespace FaceBlur.Modules.Stats;

/// <summary>The Stats module's own instruments, on the service's meter.</summary>
public sealed class StatsMetrics
{
    /// <summary>The meter every FaceBlur module records on (the host exports it at <c>/metrics</c>).</summary>
    public const string MeterName = "FaceBlur";

    private readonly Counter<long> _errors;

    public StatsMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _errors = meter.CreateCounter<long>(
            "faceblur.stats.errors",
            description: "Stats reads and updates that failed (logged; the upload or job they belonged to went on).");
        _errors.Add(0, new KeyValuePair<string, object?>("operation", "increment"));
        _errors.Add(0, new KeyValuePair<string, object?>("operation", "read"));
    }

    public void Error(string operation) => _errors.Add(1, new KeyValuePair<string, object?>("operation", operation));
}
