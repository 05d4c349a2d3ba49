namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>
/// Told by the worker when a job ends, after its result or failure is stored. The host implements it to keep
/// whatever it counts (the vanity stats) without this module knowing of them; none registered = nothing is told.
/// An observer must not throw: the worker logs and ignores what it throws, the job's outcome stands.
/// </summary>
public interface IJobObserver
{
    Task OnJobEndedAsync(JobEnded ended, CancellationToken cancellationToken);
}

/// <summary>How a job ended, after its result or failure was stored.</summary>
/// <param name="TaskId">The job.</param>
/// <param name="Kind">Images or video.</param>
/// <param name="Succeeded">True with a result; false when it failed (faces, seconds and frames are then 0).</param>
/// <param name="Files">Input files (images of an images job; 1 for a video).</param>
/// <param name="Faces">Faces hidden, as reported in <c>X-Faces-Detected</c>.</param>
/// <param name="VideoSeconds">Duration of the processed video; 0 for images.</param>
/// <param name="VideoFrames">Video frames processed; 0 for images.</param>
/// <param name="Duration">Processing time of this attempt.</param>
public sealed record JobEnded(
    string TaskId,
    JobKind Kind,
    bool Succeeded,
    int Files,
    int Faces,
    double VideoSeconds,
    long VideoFrames,
    TimeSpan Duration);
