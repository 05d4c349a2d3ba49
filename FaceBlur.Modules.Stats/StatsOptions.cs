using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace FaceBlur.Modules.Stats;

/// <summary>Vanity stats settings (SPEC's configuration table).</summary>
public sealed class StatsOptions : IValidatableObject
{
    /// <summary>Browsers keep a cookie at most 400 days, whatever it asks for.</summary>
    public const int MaxCookieAgeDays = 400;

    /// <summary>The SQLite file of the counters; relative paths resolve against the content root.</summary>
    [ConfigurationKeyName("STATS_DB_PATH")]
    public string DbPath { get; set; } = "storage/stats.db";

    [ConfigurationKeyName("VISITOR_COOKIE_NAME")]
    public string VisitorCookieName { get; set; } = "visitor_id";

    [ConfigurationKeyName("VISITOR_COOKIE_MAX_AGE_DAYS")]
    public int VisitorCookieMaxAgeDays { get; set; } = 365;

    /// <summary>The directory relative paths are resolved against (the content root); not a setting.</summary>
    public string BasePath { get; set; } = Directory.GetCurrentDirectory();

    public string DbFullPath => Path.GetFullPath(Path.Combine(BasePath, DbPath));

    /// <summary>The rules of <see cref="Validate()"/>, for the options validation every module registers.</summary>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext) =>
        Validate().Select(problem => new ValidationResult(problem));

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(DbPath) || DbPath.EndsWith('/') || DbPath.EndsWith('\\'))
        {
            yield return "STATS_DB_PATH must be the path of a file (for example storage/stats.db).";
        }

        // RFC 6265 cookie-name: a token, visible ASCII without separators.
        if (string.IsNullOrEmpty(VisitorCookieName) || VisitorCookieName.Length > 64 || !VisitorCookieName.All(IsTokenChar))
        {
            yield return "VISITOR_COOKIE_NAME must be 1 to 64 letters, digits or -_.!#$%&'*+^`|~ (a cookie name).";
        }

        if (VisitorCookieMaxAgeDays < 1 || VisitorCookieMaxAgeDays > MaxCookieAgeDays)
        {
            yield return $"VISITOR_COOKIE_MAX_AGE_DAYS must be between 1 and {MaxCookieAgeDays} (browsers cap cookies at 400 days).";
        }
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
