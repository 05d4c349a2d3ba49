using System.Collections.Concurrent;
using System.Globalization;

namespace FaceBlur.Testing.Load;

/// <summary>
/// The app's resident memory (VmRSS of its process) during a load run: sampled while the run goes on, and recorded each
/// time another 100 jobs have ended, so growth shows round by round and not only as a start and an end.
/// </summary>
public sealed class AppMemory(int pid)
{
    public const int Round = 100;

    private readonly ConcurrentDictionary<int, long> afterJobs = new();
    private long peak;

    /// <summary>Samples now; <paramref name="jobsEnded"/> past a multiple of <see cref="Round"/> records that round.</summary>
    public void Sample(int jobsEnded)
    {
        if (ResidentBytes(pid) is not { } rss)
        {
            return;
        }

        InterlockedMax(ref peak, rss);
        var round = jobsEnded / Round * Round;
        if (round > 0)
        {
            afterJobs.TryAdd(round, rss);
        }
    }

    /// <summary>RSS after each 100 jobs, the end, the peak and the growth over the value after the first 100.</summary>
    public void Report(TextWriter output)
    {
        var end = ResidentBytes(pid);
        foreach (var (jobs, rss) in afterJobs.OrderBy(r => r.Key))
        {
            output.WriteLine($"app_rss_mb after_jobs={jobs} rss={Mb(rss):0}");
        }

        if (afterJobs.TryGetValue(Round, out var first) && end is { } last)
        {
            var highest = afterJobs.Values.Append(last).Max();
            output.WriteLine(
                $"app_rss_mb after_100_jobs={Mb(first):0} end={Mb(last):0} peak={Mb(Interlocked.Read(ref peak)):0} " +
                $"max_over_first_100={(double)highest / first:0.00}x growth={(last - first) * 100.0 / first:0.0}%");
        }
    }

    /// <summary>Resident memory of a process on this machine (VmRSS), or null when it cannot be read.</summary>
    public static long? ResidentBytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            var kb = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            return kb is null ? null : long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static double Mb(long bytes) => bytes / 1048576.0;

    private static void InterlockedMax(ref long target, long value)
    {
        var seen = Interlocked.Read(ref target);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
