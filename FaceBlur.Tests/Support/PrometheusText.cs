using System.Globalization;
using System.Text.RegularExpressions;

namespace FaceBlur.Tests.Support;

/// <summary>One sample of the Prometheus text exposition format.</summary>
internal sealed record PromSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>A small reader of the Prometheus text format (what <c>/metrics</c> answers), enough for assertions.</summary>
internal static partial class PrometheusText
{
    public static IReadOnlyList<PromSample> Parse(string text)
    {
        var samples = new List<PromSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var match = SampleLine().Match(line);
            if (!match.Success)
            {
                throw new FormatException($"Not a Prometheus sample line: {line}");
            }

            var labels = LabelPair().Matches(match.Groups["labels"].Value)
                .ToDictionary(m => m.Groups["key"].Value, m => Regex.Unescape(m.Groups["value"].Value));
            samples.Add(new PromSample(match.Groups["name"].Value, labels, ParseValue(match.Groups["value"].Value)));
        }

        return samples;
    }

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include <paramref name="labels"/>; null when none.</summary>
    public static double? Value(this IReadOnlyList<PromSample> samples, string name, params (string Key, string Value)[] labels)
    {
        var matching = samples
            .Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
            .ToList();
        return matching.Count == 0 ? null : matching.Sum(s => s.Value);
    }

    private static double ParseValue(string value) => value switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+-?\d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex(""""(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(?:[^"\\]|\\.)*)"""")]
    private static partial Regex LabelPair();
}

/// <summary>The metric names a PromQL expression reads (functions, keywords, labels, ranges and strings left out).</summary>
internal static partial class PromQl
{
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan",
    };

    public static IReadOnlySet<string> MetricNames(string expr)
    {
        var text = Strings().Replace(expr, " ");
        text = GrafanaVariables().Replace(text, " ");
        text = LabelMatchers().Replace(text, " ");
        text = Ranges().Replace(text, " ");
        text = LabelLists().Replace(text, " ");
        return Identifiers().Matches(text)
            .Select(m => m.Value)
            .Where(name => !Keywords.Contains(name))
            .ToHashSet();
    }

    [GeneratedRegex("""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)""")]
    private static partial Regex Strings();

    [GeneratedRegex("""\$\{[^}]*\}|\$\w+""")]
    private static partial Regex GrafanaVariables();

    [GeneratedRegex("""\{[^}]*\}""")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex("""\[[^\]]*\]""")]
    private static partial Regex Ranges();

    [GeneratedRegex("""\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)""", RegexOptions.IgnoreCase)]
    private static partial Regex LabelLists();

    /// <summary>A name not inside a number and not called as a function.</summary>
    [GeneratedRegex("""(?<![\w.:])[a-zA-Z_:][a-zA-Z0-9_:]*(?!\s*\()(?![\w:])""")]
    private static partial Regex Identifiers();
}
