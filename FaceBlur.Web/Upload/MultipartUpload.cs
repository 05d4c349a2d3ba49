using System.Text;
using FaceBlur.Web.Api;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace FaceBlur.Web.Upload;

/// <summary>One uploaded file, streamed to disk under a generated name.</summary>
public sealed record UploadedFile(string Path, string ClientName, string Extension, long Length);

/// <summary>The parts of a multipart upload: files on disk and the small option fields.</summary>
public sealed record UploadParts(IReadOnlyList<UploadedFile> Files, IReadOnlyDictionary<string, string> Fields);

/// <summary>
/// Reads a multipart/form-data body section by section, streaming each file straight to disk (never a whole upload in
/// memory) and enforcing the limits while reading: bytes per file, number of files, number of parts and field sizes.
/// Refusals are thrown as <see cref="ApiException"/>; the caller deletes what was written.
/// </summary>
public static class MultipartUpload
{
    private const int MaxExtraParts = 8;

    public static async Task<UploadParts> ReadAsync(
        HttpRequest request,
        string fileField,
        int maxFiles,
        long maxFileBytes,
        Func<int, string> destinationFor,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(destinationFor);
        var boundary = GetBoundary(request.ContentType);
        var reader = new MultipartReader(boundary, request.Body) { HeadersCountLimit = 8, HeadersLengthLimit = 8 * 1024 };
        var files = new List<UploadedFile>();
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var parts = 0;

        while (await Malformed(() => reader.ReadNextSectionAsync(cancellationToken)) is { } section)
        {
            if (++parts > maxFiles + OptionFields.Names.Length + MaxExtraParts)
            {
                throw Invalid($"Too many parts in the form (at most {maxFiles} files and the option fields).");
            }

            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
            {
                throw Invalid("Every part of the body must be a form-data field.");
            }

            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
            if (disposition.IsFileDisposition())
            {
                if (name != fileField)
                {
                    throw Invalid($"Files go in the form field '{fileField}'.", new() { ["field"] = name });
                }

                if (files.Count >= maxFiles)
                {
                    throw Invalid($"At most {maxFiles} file(s) per request.", new() { ["max_files"] = maxFiles });
                }

                var clientName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "";
                var path = destinationFor(files.Count);
                var length = await CopyLimitedAsync(section.Body, path, maxFileBytes, cancellationToken);
                if (length == 0)
                {
                    throw Invalid("An uploaded file is empty.", new() { ["file"] = SafeNames.ForDisplay(clientName) });
                }

                files.Add(new UploadedFile(path, clientName, SafeNames.Extension(clientName), length));
            }
            else
            {
                if (!OptionFields.Names.Contains(name))
                {
                    throw Invalid($"Unknown form field '{Truncate(name)}'.", new() { ["field"] = Truncate(name), ["allowed"] = OptionFields.Names });
                }

                if (fields.ContainsKey(name))
                {
                    throw Invalid($"The form field '{name}' is given twice.", new() { ["field"] = name });
                }

                fields[name] = await ReadFieldAsync(section.Body, name, OptionFields.MaxBytes(name), cancellationToken);
            }
        }

        return new UploadParts(files, fields);
    }

    private static string GetBoundary(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            // The route takes forms only: any other body is a content type it does not support (415), not a bad form.
            throw new ApiException(ApiErrors.UnsupportedMediaType, "The body must be multipart/form-data.");
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary) || boundary.Length > 200)
        {
            throw Invalid("The multipart body has no valid boundary.");
        }

        return boundary;
    }

    private static async Task<long> CopyLimitedAsync(Stream source, string path, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long total = 0;
        await using var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
        int read;
        while ((read = await Malformed(() => source.ReadAsync(buffer, cancellationToken).AsTask())) > 0)
        {
            total += read;
            if (total > maxBytes)
            {
                throw new ApiException(
                    ApiErrors.PayloadTooLarge,
                    $"A file is larger than the limit of {maxBytes / (1024 * 1024.0):0.#} MB.",
                    new Dictionary<string, object?> { ["max_bytes"] = maxBytes });
            }

            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        return total;
    }

    private static async Task<string> ReadFieldAsync(Stream body, string name, int maxBytes, CancellationToken cancellationToken)
    {
        using var text = new MemoryStream();
        var buffer = new byte[Math.Min(maxBytes + 1, 81920)];
        int read;
        while (text.Length <= maxBytes && (read = await Malformed(() => body.ReadAsync(buffer, cancellationToken).AsTask())) > 0)
        {
            text.Write(buffer, 0, read);
        }

        if (text.Length > maxBytes)
        {
            throw Invalid(
                $"The form field '{name}' is too long (at most {maxBytes} bytes).",
                new() { ["field"] = name, ["path"] = name, ["max_bytes"] = maxBytes });
        }

        return Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
    }

    /// <summary>
    /// Runs a read of the multipart body, turning what the reader throws on a malformed body (a section header too long
    /// or too many, a body that ends before its closing boundary, garbage instead of a boundary) into a
    /// <c>validation_error</c>. The server's own refusals (413, a request it could not read) pass unchanged.
    /// </summary>
    private static async Task<T> Malformed<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (InvalidDataException)
        {
            throw Invalid("The multipart body is malformed.");
        }
        catch (IOException ex) when (ex is not BadHttpRequestException && ex.Message.Contains("Unexpected end of Stream", StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid("The multipart body ends before its closing boundary.");
        }
    }

    private static string Truncate(string value) => value.Length > 64 ? value[..64] : value;

    private static ApiException Invalid(string message, Dictionary<string, object?>? details = null) =>
        new(ApiErrors.ValidationError, message, details);
}
