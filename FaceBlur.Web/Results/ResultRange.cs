using System.Globalization;
using FaceBlur.Modules.Processing.Jobs;
using Microsoft.Net.Http.Headers;

namespace FaceBlur.Web.Results;

/// <summary>
/// What a GET of a result asks for, read against the result's validators (RFC 9110, 14.2 Range and 13.1.5 If-Range):
/// the whole result, one byte range of it, or a range that lies beyond its end (416). A Range the server does not
/// serve (another unit, several ranges, a malformed one) and one whose If-Range names another version are ignored:
/// the request is then for the whole result, as the RFC allows.
/// </summary>
internal sealed record ResultRange(long From, long Count, long Length, bool Partial, bool Unsatisfiable, bool NamesThisResult)
{
    /// <summary>The answer carries the result's last byte (a whole result, or the range that ends it).</summary>
    public bool ReachesEnd => !Unsatisfiable && From + Count == Length;

    /// <summary><c>Content-Range</c> of a 206 (<c>bytes first-last/length</c>) or of a 416 (<c>bytes */length</c>).</summary>
    public string ContentRange => Unsatisfiable
        ? string.Create(CultureInfo.InvariantCulture, $"bytes */{Length}")
        : string.Create(CultureInfo.InvariantCulture, $"bytes {From}-{From + Count - 1}/{Length}");

    public static ResultRange Read(HttpRequest request, ResultFile file)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(file);
        var whole = new ResultRange(0, file.Length, file.Length, Partial: false, Unsatisfiable: false, NamesThisResult: false);
        var headers = request.GetTypedHeaders();
        if (headers.Range is not { Ranges.Count: 1 } range || !string.Equals(range.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase))
        {
            return whole;
        }

        var namesThisResult = false;
        if (request.Headers.IfRange.Count > 0)
        {
            if (headers.IfRange is not { } condition || !ResultValidators.Match(condition, file))
            {
                return whole;
            }

            namesThisResult = true;
        }

        var item = range.Ranges.Single();
        long from;
        long last;
        if (item.From is { } first)
        {
            if (item.To is { } end && end < first)
            {
                return whole; // not a valid range: ignored
            }

            from = first;
            last = Math.Min(item.To ?? long.MaxValue, file.Length - 1);
        }
        else
        {
            // A suffix: the last N bytes.
            var suffix = item.To ?? 0;
            from = Math.Max(0, file.Length - suffix);
            last = suffix == 0 ? -1 : file.Length - 1;
        }

        return from >= file.Length || last < from
            ? whole with { Unsatisfiable = true, NamesThisResult = namesThisResult }
            : new ResultRange(from, last - from + 1, file.Length, Partial: true, Unsatisfiable: false, namesThisResult);
    }
}

/// <summary>
/// The validators of a result, sent with every download so a client can resume it: a strong ETag (size and last change
/// to the tick: a result file is written once and never changed) and Last-Modified (to the second, as HTTP dates are).
/// </summary>
internal static class ResultValidators
{
    public static string ETag(ResultFile file) =>
        string.Create(CultureInfo.InvariantCulture, $"\"{file.Length:x}-{file.LastModified.UtcTicks:x}\"");

    public static DateTimeOffset LastModified(ResultFile file) =>
        new(file.LastModified.UtcTicks - (file.LastModified.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    /// <summary>If-Range matches: a strong ETag equal to ours, or exactly our Last-Modified date.</summary>
    public static bool Match(RangeConditionHeaderValue condition, ResultFile file) =>
        condition.EntityTag is { } tag
            ? !tag.IsWeak && tag.Tag.Equals(ETag(file), StringComparison.Ordinal)
            : condition.LastModified == LastModified(file);
}
