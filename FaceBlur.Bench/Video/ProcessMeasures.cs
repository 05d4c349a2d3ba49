using System.Diagnostics;
using System.Globalization;

namespace FaceBlur.Bench.Video;

/// <summary>CPU time and memory of the bench process and of its ffmpeg children (Linux /proc and getrusage).</summary>
public static partial class ProcessMeasures
{
    /// <summary>
    /// The largest sums, over samples every half second (reading PSS walks the page tables: kept rare), of the memory
    /// of this process and its children (ffmpeg): resident (RSS; shared libraries counted once per process) and
    /// proportional (PSS; shared pages split between the processes that map them: what the tree costs the machine).
    /// </summary>
    public static (double Rss, double Pss) SampleTreeMemoryMb(CancellationToken token)
    {
        var me = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        double peakRss = 0, peakPss = 0;
        while (!token.IsCancellationRequested)
        {
            double rss = 0, pss = 0;
            foreach (var procDir in Directory.GetDirectories("/proc"))
            {
                var pid = Path.GetFileName(procDir);
                try
                {
                    var stat = File.ReadAllText(Path.Combine(procDir, "stat"));

                    // The fields after the command's closing parenthesis, from field 3: [1] is the parent.
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    if (pid != me && fields[1] != me)
                    {
                        continue;
                    }

                    foreach (var line in File.ReadLines(Path.Combine(procDir, "smaps_rollup")))
                    {
                        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        var kb = parts.Length >= 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;
                        (rss, pss) = parts[0] switch
                        {
                            "Rss:" => (rss + (kb / 1024), pss),
                            "Pss:" => (rss, pss + (kb / 1024)),
                            _ => (rss, pss),
                        };
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
                {
                    // Not a process, or gone meanwhile.
                }
            }

            (peakRss, peakPss) = (Math.Max(peakRss, rss), Math.Max(peakPss, pss));
            token.WaitHandle.WaitOne(500);
        }

        return (peakRss, peakPss);
    }

    /// <summary>CPU time (user + system) of this process and of its children that have ended and been waited for.</summary>
    public static (double Self, double Children) CpuSeconds()
    {
        static double Seconds(in ResourceUsage usage) =>
            usage.UserSeconds + (usage.UserMicroseconds / 1e6) + usage.SystemSeconds + (usage.SystemMicroseconds / 1e6);

        const int Self = 0, Children = -1;
        return GetResourceUsage(Self, out var self) == 0 && GetResourceUsage(Children, out var children) == 0
            ? (Seconds(self), Seconds(children))
            : (double.NaN, double.NaN);
    }

    /// <summary>The leading fields of Linux's <c>struct rusage</c> on 64-bit: two timevals, then fourteen longs.</summary>
    private struct ResourceUsage
    {
#pragma warning disable CS0649 // written by getrusage
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public Rest Rest;
#pragma warning restore CS0649
    }

    [System.Runtime.CompilerServices.InlineArray(14)]
    private struct Rest
    {
#pragma warning disable IDE0044, IDE0051, CS0169 // storage only
        private long first;
#pragma warning restore IDE0044, IDE0051, CS0169
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetResourceUsage(int who, out ResourceUsage usage);

    /// <summary>Resets the kernel's peak resident set (VmHWM) so that the next reading covers (b) only.</summary>
    public static void ResetPeakMemory()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or not allowed: the peak then covers the whole run.
        }
    }

    public static double PeakMemoryMb()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
                }
            }
        }
        catch (IOException)
        {
            // Fall through.
        }

        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}
