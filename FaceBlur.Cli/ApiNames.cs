using System.Reflection;
using System.Text.Json.Serialization;

namespace FaceBlur.Cli;

/// <summary>
/// The API's names of the core's option enums (<c>blur</c>, <c>pixelate</c>, <c>ellipse</c>...), read from their JSON
/// names, so that the command line takes exactly the values the API takes.
/// </summary>
internal static class ApiNames
{
    public static string[] All<T>()
        where T : struct, Enum => [.. Enum.GetValues<T>().Select(Of)];

    public static string Of<T>(T value)
        where T : struct, Enum =>
        typeof(T).GetField(value.ToString())?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
        ?? throw new InvalidOperationException($"{typeof(T).Name}.{value} has no API name.");

    public static T Parse<T>(string name)
        where T : struct, Enum => Enum.GetValues<T>().Single(v => Of(v) == name);
}
