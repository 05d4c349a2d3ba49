using System.Text.RegularExpressions;
using FaceBlur.Modules.Processing.Detection;
using Microsoft.Extensions.Options;

namespace FaceBlur.Web.Hosting;

/// <summary>Turns the exceptions a bad setting causes at start into one line for the console.</summary>
public static partial class StartupError
{
    public static string? Describe(Exception ex) => ex switch
    {
        OptionsValidationException o => string.Join(" ", o.Failures.Select(ProblemOf)),
        AggregateException { InnerExceptions.Count: 1 } a => Describe(a.InnerException!),
        FileNotFoundException f => f.Message,
        DetectorModelException d => d.Message,
        OnnxRuntimeTelemetryException t => t.Message,
        // The configuration binder names the setting it could not convert ("Failed to convert configuration value ...").
        InvalidOperationException { InnerException: ArgumentException } bind when bind.Message.Contains("configuration value", StringComparison.Ordinal) => bind.Message,
        InvalidOperationException { InnerException: { } inner } => Describe(inner),
        _ => null,
    };

    /// <summary>
    /// The problem an options class reported (each names its setting), without the wrapping the framework's
    /// DataAnnotations validation puts around it ("DataAnnotation validation failed for 'X' members: '' with the error: '...'.").
    /// </summary>
    private static string ProblemOf(string failure) =>
        DataAnnotationFailure().Match(failure) is { Success: true } match ? match.Groups[1].Value : failure;

    [GeneratedRegex(@"with the error: '(.*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex DataAnnotationFailure();
}
