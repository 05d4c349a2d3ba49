namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>
/// The on-disk layout under STORAGE_DIR: one directory per job, <c>jobs/{task_id}/</c>, holding its inputs and, once
/// done, its result. Names inside are generated, never taken from a client. Results are written to a temporary name
/// and renamed into place, so a half-written result is never visible. Only the job service and its worker know this
/// layout: everything else asks <see cref="JobService"/>.
/// </summary>
internal sealed class JobStorage(JobsOptions options)
{
    public const string JobsFolder = "jobs";

    public string Root { get; } = options.StorageRoot;

    public string JobsRoot => Path.Combine(Root, JobsFolder);

    /// <summary>Task ids are 32 lower-case hex digits (128 random bits); anything else is not a task.</summary>
    public static bool IsValidTaskId(string? taskId) =>
        taskId is { Length: 32 } && taskId.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    public static string NewTaskId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    public string JobDirectory(string taskId) =>
        IsValidTaskId(taskId) ? Path.Combine(JobsRoot, taskId) : throw new ArgumentException("Invalid task id.", nameof(taskId));

    /// <summary>Where an uploaded file of a job is stored: a generated name, never the client's.</summary>
    public string InputPath(string taskId, int index) => Path.Combine(JobDirectory(taskId), InputFileName(index));

    public static string InputFileName(int index) => $"input-{index:00}.upload";

    /// <summary>Relative path (as stored in messages and job state) of a job's file.</summary>
    public static string RelativePath(string taskId, string fileName) => $"{JobsFolder}/{taskId}/{fileName}";

    /// <summary>Absolute path of a stored relative path, refusing anything that would leave STORAGE_DIR.</summary>
    public string Resolve(string relativePath)
    {
        var full = Path.GetFullPath(Path.Combine(Root, relativePath));
        var rootWithSeparator = Root.EndsWith(Path.DirectorySeparatorChar) ? Root : Root + Path.DirectorySeparatorChar;
        return full.StartsWith(rootWithSeparator, StringComparison.Ordinal)
            ? full
            : throw new InvalidOperationException("A stored path points outside STORAGE_DIR.");
    }

    /// <summary>Creates a job's directory; throws <see cref="StorageUnavailableException"/> when STORAGE_DIR cannot take it.</summary>
    public string CreateJobDirectory(string taskId)
    {
        var dir = JobDirectory(taskId);
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageUnavailableException($"STORAGE_DIR cannot be written: {ex.Message}", ex);
        }

        return dir;
    }

    /// <summary>Deletes a job's directory and everything in it; missing is fine.</summary>
    public void DeleteJob(string taskId)
    {
        var dir = JobDirectory(taskId);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Every job directory with when it was last touched: the newest write time of it and the files in it.</summary>
    public IEnumerable<(string Name, DateTimeOffset LastTouched)> ListJobDirectories()
    {
        var root = new DirectoryInfo(JobsRoot);
        if (!root.Exists)
        {
            yield break;
        }

        foreach (var dir in root.EnumerateDirectories())
        {
            var newest = dir.LastWriteTimeUtc;
            foreach (var file in dir.EnumerateFiles())
            {
                newest = file.LastWriteTimeUtc > newest ? file.LastWriteTimeUtc : newest;
            }

            yield return (dir.Name, new DateTimeOffset(newest, TimeSpan.Zero));
        }
    }

    /// <summary>Deletes a job directory found by <see cref="ListJobDirectories"/> (any name, only under the jobs root).</summary>
    public void DeleteJobDirectory(string name)
    {
        var dir = new DirectoryInfo(Path.Combine(JobsRoot, name));
        if (dir.Parent?.FullName != new DirectoryInfo(JobsRoot).FullName)
        {
            throw new ArgumentException("Not a job directory.", nameof(name));
        }

        dir.Delete(recursive: true);
    }

    /// <summary>Deletes a job's inputs, keeping its result.</summary>
    public void DeleteInputs(JobMessage message)
    {
        foreach (var input in message.Inputs)
        {
            var path = Resolve(input.StoredPath);
            if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>Writes a result through a temporary file and an atomic rename; returns its relative path.</summary>
    public async Task<string> WriteResultAsync(string taskId, string fileName, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var relative = await ProduceResultAsync(
            taskId,
            fileName,
            async (temporary, ct) =>
            {
                await using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
                await write(stream, ct);
                await stream.FlushAsync(ct);
                return true;
            },
            cancellationToken);
        return relative!;
    }

    /// <summary>
    /// Lets <paramref name="produce"/> write a result file at a temporary path (for tools that write files themselves,
    /// like ffmpeg); when it returns true the file is renamed into place atomically and its relative path returned,
    /// otherwise (or on an exception) the temporary file is deleted and null returned.
    /// </summary>
    public async Task<string?> ProduceResultAsync(string taskId, string fileName, Func<string, CancellationToken, Task<bool>> produce, CancellationToken cancellationToken)
    {
        var dir = CreateJobDirectory(taskId);
        var final = Path.Combine(dir, fileName);
        var temporary = Path.Combine(dir, $".{Guid.NewGuid():N}.tmp{Path.GetExtension(fileName)}");
        try
        {
            if (!await produce(temporary, cancellationToken))
            {
                return null;
            }

            File.Move(temporary, final, overwrite: true);
            return RelativePath(taskId, fileName);
        }
        finally
        {
            try
            {
                if (File.Exists(temporary))
                {
                    File.Delete(temporary);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Never masks the write's own failure; the cleanup loop removes what is left.
            }
        }
    }
}

/// <summary>STORAGE_DIR cannot be written (missing, not a directory, read-only, full).</summary>
public sealed class StorageUnavailableException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>
    /// True for a write that failed because of the storage itself (full, over quota, read-only or denied) rather than
    /// because of the data: such a failure is the server's, not the upload's. On Linux an IOException's HResult is the errno.
    /// </summary>
    public static bool IsStorageFailure(Exception ex) => ex switch
    {
        StorageUnavailableException or UnauthorizedAccessException => true,
        IOException io => io.HResult is ENOSPC or EROFS or EDQUOT,
        _ => false,
    };

    private const int ENOSPC = 28;
    private const int EROFS = 30;
    private const int EDQUOT = 122;
}
