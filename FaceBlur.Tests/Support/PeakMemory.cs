using System.Globalization;

namespace FaceBlur.Tests.Support;

/// <summary>The process's peak resident memory (Linux: VmHWM of /proc/self/status), and its reset to the current size.</summary>
internal static class PeakMemory
{
    /// <summary>Resets the peak to the current resident size (writing 5 to /proc/self/clear_refs) and returns that size.</summary>
    public static long ResetToCurrent()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        File.WriteAllText("/proc/self/clear_refs", "5");
        return Status("VmRSS");
    }

    /// <summary>The peak resident size since the last reset, in bytes.</summary>
    public static long Peak() => Status("VmHWM");

    private static long Status(string field)
    {
        var line = File.ReadLines("/proc/self/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        var kilobytes = line[(field.Length + 1)..].Trim().Split(' ')[0];
        return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
    }
}
