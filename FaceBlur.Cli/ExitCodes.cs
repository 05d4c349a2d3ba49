namespace FaceBlur.Cli;

/// <summary>What the process's exit code says (README: "Exit codes").</summary>
internal static class ExitCodes
{
    /// <summary>Every input was processed (files skipped inside a folder for not being media do not count against it).</summary>
    public const int Success = 0;

    /// <summary>At least one input could not be processed; the others were.</summary>
    public const int SomeFailed = 1;

    /// <summary>Bad usage: an unknown option or value, a missing path, outputs that would overwrite an input, unusable settings.</summary>
    public const int Usage = 2;

    /// <summary>Stopped by Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM (128 + SIGTERM).</summary>
    public const int Terminated = 143;
}
