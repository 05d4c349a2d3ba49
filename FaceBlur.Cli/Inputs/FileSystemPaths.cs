using System.Runtime.InteropServices;

namespace FaceBlur.Cli.Inputs;

/// <summary>Paths compared as the file system sees them: symbolic links resolved, so that no link can make an output an input.</summary>
internal static partial class FileSystemPaths
{
    /// <summary>
    /// The canonical absolute form of <paramref name="path"/>: its longest existing part with every link resolved
    /// (realpath), followed by the part that does not exist yet.
    /// </summary>
    public static string Canonical(string path)
    {
        var full = Path.GetFullPath(path);
        var missing = new Stack<string>();
        var existing = full;
        while (!File.Exists(existing) && !Directory.Exists(existing))
        {
            var parent = Path.GetDirectoryName(existing);
            if (parent is null)
            {
                return full;
            }

            missing.Push(Path.GetFileName(existing));
            existing = parent;
        }

        var resolved = RealPath(existing) ?? existing;
        return missing.Aggregate(resolved, Path.Combine);
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="directory"/> or lies under it (both canonical).</summary>
    public static bool IsUnder(string path, string directory) =>
        path == directory || path.StartsWith(directory.EndsWith('/') ? directory : directory + "/", StringComparison.Ordinal);

    private static string? RealPath(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return Path.GetFullPath(path);
        }

        var resolved = NativeRealPath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            NativeFree(resolved);
        }
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr NativeRealPath(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void NativeFree(IntPtr pointer);
}
