using System.ComponentModel.DataAnnotations;
using FaceBlur.Modules.Processing.Jobs;
using Microsoft.Extensions.Options;

namespace FaceBlur.Web.Cleanup;

public sealed class CleanupOptions : IValidatableObject
{
    /// <summary>Minutes between sweeps; 0 disables the loop.</summary>
    [ConfigurationKeyName("STORAGE_CLEANUP_INTERVAL_MINUTES")]
    public double IntervalMinutes { get; set; } = 5;

    /// <summary>The rules of <see cref="Validate()"/>, for the options validation every module registers.</summary>

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext) =>

        Validate().Select(problem => new ValidationResult(problem));


    public IEnumerable<string> Validate()
    {
        if (!(IntervalMinutes >= 0) || double.IsInfinity(IntervalMinutes))
        {
            yield return "STORAGE_CLEANUP_INTERVAL_MINUTES must be 0 (disabled) or a positive number of minutes.";
        }
    }
}

/// <summary>
/// The TTL sweep on a timer: every STORAGE_CLEANUP_INTERVAL_MINUTES the job service deletes job directories untouched
/// for longer than STORAGE_TTL_MINUTES and drops expired job state.
/// </summary>
public sealed partial class CleanupService(
    IOptions<CleanupOptions> cleanupOptions,
    JobService jobs,
    TimeProvider time,
    ILogger<CleanupService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMinutes(cleanupOptions.Value.IntervalMinutes);
        if (interval <= TimeSpan.Zero)
        {
            LogDisabled(logger);
            return;
        }

        using var timer = new PeriodicTimer(interval, time);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JobStoreUnavailableException)
            {
                LogSweepFailed(logger, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One sweep; returns how many job directories were deleted.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var deleted = await jobs.SweepAsync(cancellationToken);
        LogSwept(logger, deleted);
        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage cleanup disabled (STORAGE_CLEANUP_INTERVAL_MINUTES=0)")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage cleanup deleted {Deleted} expired job director(ies)")]
    private static partial void LogSwept(ILogger logger, int deleted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage cleanup failed: {Reason}")]
    private static partial void LogSweepFailed(ILogger logger, string reason);
}
