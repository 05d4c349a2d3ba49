using FaceBlur.Modules.Processing.Detection;
using Microsoft.Extensions.Options;

namespace FaceBlur.Web.Hosting;

/// <summary>Turns the exceptions a bad setting causes at start into one line for the console.</summary>
public static class StartupError
{
    public static string? Describe(Exception ex) => ex switch
    {
        OptionsValidationException o => string.Join(" ", o.Failures),
        AggregateException { InnerExceptions.Count: 1 } a => Describe(a.InnerException!),
        FileNotFoundException f => f.Message,
        DetectorModelException d => d.Message,
        OnnxRuntimeTelemetryException t => t.Message,
        // The configuration binder names the setting it could not convert ("Failed to convert configuration value ...").
        InvalidOperationException { InnerException: ArgumentException } bind when bind.Message.Contains("configuration value", StringComparison.Ordinal) => bind.Message,
        InvalidOperationException { InnerException: { } inner } => Describe(inner),
        _ => null,
    };
}
