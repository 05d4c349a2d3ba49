using System.Text.Json;

namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>
/// <see cref="JobMessage"/> to and from the UTF-8 JSON that travels through the queue. The names come from the
/// <c>JsonPropertyName</c> attributes on the records, enums are written as their lower-case strings.
/// </summary>
public static class JobMessageSerializer
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General)
    {
        WriteIndented = false,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>The message as UTF-8 JSON.</summary>
    public static byte[] Serialize(JobMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return JsonSerializer.SerializeToUtf8Bytes(message, Options);
    }

    /// <summary>
    /// The message read from UTF-8 JSON. Throws <see cref="InvalidJobMessageException"/> for anything that is not a
    /// complete job message (not JSON, wrong shape, unknown enum value, missing task id, inputs or options).
    /// </summary>
    public static JobMessage Deserialize(ReadOnlySpan<byte> utf8Json)
    {
        JobMessage? message;
        try
        {
            message = JsonSerializer.Deserialize<JobMessage>(utf8Json, Options);
        }
        catch (JsonException ex)
        {
            throw new InvalidJobMessageException($"The job message is not valid JSON for a job: {ex.Message}", ex);
        }
        catch (NotSupportedException ex)
        {
            throw new InvalidJobMessageException($"The job message cannot be read: {ex.Message}", ex);
        }

        if (message is null)
        {
            throw new InvalidJobMessageException("The job message is JSON null.");
        }

        if (string.IsNullOrWhiteSpace(message.TaskId))
        {
            throw new InvalidJobMessageException("The job message has no task_id.");
        }

        if (message.Inputs is null || message.Inputs.Any(input => input is null))
        {
            throw new InvalidJobMessageException($"The job message for task {message.TaskId} has no valid inputs.");
        }

        if (message.Options is null)
        {
            throw new InvalidJobMessageException($"The job message for task {message.TaskId} has no options.");
        }

        return message;
    }
}

/// <summary>
/// A queue message that is not a readable <see cref="JobMessage"/>. Such a message can never succeed, so the queues
/// log it (without its body) and acknowledge it at once: it is dropped, and no dead-letter handler can be called for it
/// because there is no job to report.
/// </summary>
public sealed class InvalidJobMessageException(string message, Exception? inner = null) : Exception(message, inner);
