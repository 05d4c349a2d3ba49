using System.Globalization;
using FaceBlur.Modules.Processing.Jobs;
using Microsoft.Net.Http.Headers;

namespace FaceBlur.Web.Results;

/// <summary>
/// Sends a result, whole (200) or one range of it (206), with the validators a client resumes with (ETag,
/// Last-Modified, Accept-Ranges), then reports whether it was delivered: only an answer that carries the result's last
/// byte can deliver it, and only once the client's TCP acknowledged that byte (<see cref="TcpDelivery"/>; where that
/// cannot be read, once every write completed). A download the client broke off is not a delivery: a claim on the
/// whole result is released and the result stays for another try.
/// </summary>
internal sealed class ResultFileResult(ResultDownload download, ResultFile file, ResultRange range, TimeProvider time) : IResult
{
    private const int CopyBufferSize = 1 << 16;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        await using var owned = download;
        var delivered = false;
        try
        {
            WriteHeaders(httpContext.Response);
            delivered = await SendAsync(httpContext);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client went away (or the file did): not delivered.
        }

        await (delivered ? download.DeliveredAsync() : download.NotDeliveredAsync());
    }

    private void WriteHeaders(HttpResponse response)
    {
        response.StatusCode = range.Partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
        response.ContentType = download.ContentType;
        response.ContentLength = range.Count;
        var headers = response.Headers;
        headers.AcceptRanges = "bytes";
        headers.ETag = ResultValidators.ETag(file);
        headers.LastModified = ResultValidators.LastModified(file).ToString("R", CultureInfo.InvariantCulture);
        headers.CacheControl = "no-store";
        headers["X-Faces-Detected"] = download.FacesDetected.ToString(CultureInfo.InvariantCulture);
        if (range.Partial)
        {
            headers.ContentRange = range.ContentRange;
        }

        if (download.FileName is not null)
        {
            var disposition = new ContentDispositionHeaderValue("attachment");
            disposition.SetHttpFileName(download.FileName);
            headers.ContentDisposition = disposition.ToString();
        }
    }

    /// <summary>Writes the bytes; true when the answer carried the last byte and it reached the client.</summary>
    private async Task<bool> SendAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var aborted = httpContext.RequestAborted;
        using var tcp = await TcpDelivery.StartAsync(httpContext, time);

        var content = download.Content;
        content.Seek(range.From, SeekOrigin.Begin);
        var buffer = new byte[CopyBufferSize];
        for (var left = range.Count; left > 0;)
        {
            var read = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), aborted);
            if (read == 0)
            {
                throw new IOException("The result file ended early.");
            }

            await response.Body.WriteAsync(buffer.AsMemory(0, read), aborted);
            left -= read;
        }

        await response.CompleteAsync();
        if (!range.ReachesEnd)
        {
            return false;
        }

        return tcp is null ? !aborted.IsCancellationRequested : await tcp.AcknowledgedAsync(range.Count, httpContext);
    }
}
