using System.Text.Json.Serialization;

namespace FaceBlur.Web.Api;

/// <summary>The success envelope: <c>{ "status", "message", "data" }</c>.</summary>
public sealed record Envelope<T>(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("data")] T Data);

/// <summary>The error envelope: <c>{ "status": "error", "code", "message", "details" }</c>.</summary>
public sealed record ErrorEnvelope(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("details")] IReadOnlyDictionary<string, object?> Details)
{
    [JsonPropertyName("status")]
    public string Status => "error";
}
