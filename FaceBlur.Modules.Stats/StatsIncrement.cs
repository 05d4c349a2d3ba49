namespace FaceBlur.Modules.Stats;

/// <summary>How much to add to each counter; zero leaves a counter alone.</summary>
public readonly record struct StatsIncrement(
    long Requests = 0,
    long Tasks = 0,
    long Images = 0,
    long Videos = 0,
    double VideoSeconds = 0,
    long Faces = 0,
    long Visitors = 0)
{
    public bool IsEmpty => Requests == 0 && Tasks == 0 && Images == 0 && Videos == 0 && VideoSeconds == 0 && Faces == 0 && Visitors == 0;
}

/// <summary>The counters as <c>/stats</c> answers them.</summary>
public sealed record StatsSnapshot(
    long TotalRequests,
    long TotalTasks,
    long TotalImages,
    long TotalVideos,
    double TotalVideoSeconds,
    long TotalFaces,
    long TotalVisitors);

/// <summary>The stats database cannot be read right now.</summary>
public sealed class StatsUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
