using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace FaceBlur.Modules.Processing.Detection;

/// <summary>
/// Keeps ONNX Runtime from phoning home. Its official Linux build sends usage telemetry to Microsoft (a DNS lookup of
/// mobile.events.data.microsoft.com and uploads, plus a device id and an event queue written under
/// <c>~/.cache/Microsoft/DeveloperTools/</c>) unless <c>ORT_DISABLE_TELEMETRY=1</c> is in the native environment when
/// the runtime initialises. .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/> keeps its own copy
/// on Linux and never reaches the C library's <c>getenv</c>, so the variable is set with libc's <c>setenv</c> itself,
/// read back, and the runtime's own switch is turned off too. <see cref="EnsureOff"/> runs before every ONNX Runtime
/// session this project creates; when telemetry cannot be ruled out it throws, so nothing starts with it on, whatever
/// launched the process.
/// </summary>
public static partial class OnnxRuntimeTelemetry
{
    public const string Variable = "ORT_DISABLE_TELEMETRY";

    private static readonly Lock Gate = new();
    private static bool off;

    /// <summary>
    /// Switches telemetry off before ONNX Runtime initialises; idempotent. Throws <see cref="OnnxRuntimeTelemetryException"/>
    /// when the runtime was already initialised without the variable, or the variable does not reach native code.
    /// </summary>
    public static void EnsureOff()
    {
        lock (Gate)
        {
            if (off)
            {
                return;
            }

            // Before the runtime's environment exists: it reads the variable once, when it is created.
            SetNativeVariable(OrtEnv.IsCreated, NativeValue, () => SetEnv(Variable, "1", 1) == 0);
            OrtEnv.Instance().DisableTelemetryEvents();
            off = true;
        }
    }

    /// <summary>
    /// Puts the variable in the native environment unless it is there already; throws when that is too late (the runtime
    /// exists and was created without it) or does not take (the value read back is not "1").
    /// </summary>
    internal static void SetNativeVariable(bool runtimeCreated, Func<string?> nativeValue, Func<bool> setNative)
    {
        if (nativeValue() == "1")
        {
            return;
        }

        if (runtimeCreated)
        {
            throw new OnnxRuntimeTelemetryException(
                $"ONNX Runtime was initialised before its telemetry could be switched off; start the process with {Variable}=1.");
        }

        if (!setNative() || nativeValue() != "1")
        {
            throw new OnnxRuntimeTelemetryException(
                $"{Variable}=1 could not be set in the native environment; start the process with {Variable}=1.");
        }
    }

    /// <summary>The variable as native code sees it (null when unset, or on Windows, where the C library is not libc).</summary>
    public static string? NativeValue() =>
        OperatingSystem.IsWindows() ? Environment.GetEnvironmentVariable(Variable) : Marshal.PtrToStringUTF8(GetEnv(Variable));

    /// <summary>On Windows the process environment is the one native code reads.</summary>
    private static int SetEnv(string name, string value, int overwrite)
    {
        if (OperatingSystem.IsWindows())
        {
            Environment.SetEnvironmentVariable(name, value);
            return 0;
        }

        return SetEnvLibc(name, value, overwrite);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvLibc(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);
}

/// <summary>ONNX Runtime's telemetry could not be ruled out: the detector is not loaded and the app does not start.</summary>
public sealed class OnnxRuntimeTelemetryException : InvalidOperationException
{
    public OnnxRuntimeTelemetryException()
    {
    }

    public OnnxRuntimeTelemetryException(string message)
        : base(message)
    {
    }

    public OnnxRuntimeTelemetryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
