namespace FaceBlur.Cli.Run;

/// <summary>
/// An output written under a temporary hidden name beside its final path and moved into place only when complete, so
/// that a failure, Ctrl+C or a crash never leaves a half-written file under the final name. Disposed without
/// <see cref="Commit"/>, it deletes the temporary file.
/// </summary>
internal sealed class PendingOutput : IDisposable
{
    private bool committed;

    private PendingOutput(string finalPath, string temporaryPath)
    {
        FinalPath = finalPath;
        TemporaryPath = temporaryPath;
    }

    public string FinalPath { get; }

    /// <summary>Where to write: a dot file (skipped by folder scans) in the final path's directory, so the move is a rename.</summary>
    public string TemporaryPath { get; }

    /// <summary>Creates the final path's directory if needed and picks the temporary name (nothing is written yet).</summary>
    public static PendingOutput Create(string finalPath)
    {
        var full = Path.GetFullPath(finalPath);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.faceblur-partial");
        return new PendingOutput(full, temporary);
    }

    /// <summary>Moves the finished file into place (replacing an earlier output of the same name).</summary>
    public void Commit()
    {
        File.Move(TemporaryPath, FinalPath, overwrite: true);
        committed = true;
    }

    public void Dispose()
    {
        if (committed)
        {
            return;
        }

        try
        {
            File.Delete(TemporaryPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the name is hidden and says what it is.
        }
    }
}
