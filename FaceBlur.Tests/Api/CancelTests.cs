using System.Net;
using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Tests.Jobs;
using FaceBlur.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FaceBlur.Tests.Api;

/// <summary>
/// DELETE /results/{id} on both transports: a queued job never runs, a running video stops (no ffmpeg left, no file)
/// and the worker takes the next job, a finished result is deleted unread, and the id is unknown afterwards.
/// </summary>
[TestFixture(Transport.InProcess, Category = TestCategory.Integration)]
[TestFixture(Transport.RabbitMqRedis, Category = TestCategory.Integration)]
[NonParallelizable]
public class CancelTests(Transport transport)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private TransportHost _host = null!;
    private FaceBlurFactory _factory = null!;
    private HttpClient _client = null!;
    private EndedJobs _ended = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _ended = new EndedJobs();
        _host = await TransportHost.StartAsync(transport, new Dictionary<string, string?> { ["WORKER_CONCURRENCY"] = "1" }, s => s.AddSingleton<IJobObserver>(_ended));
        (_factory, _client) = (_host.Factory, _host.Client);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task A_running_video_stops_leaving_no_process_and_no_file_and_a_queued_job_never_runs()
    {
        var video = await TestVideos.ColourBarsAsync(40, 640, 480);
        var running = await Http.SubmitAsync(_client, "/blur/video", Http.Form([("file", "long.mp4", video)]));
        var queued = await Http.SubmitAsync(_client, "/blur", Http.Images(("next.jpg", JobFlowTests.Photo())));
        await Wait.UntilAsync(async () => await ProgressOfAsync(running) > 0.02, "the video is being processed", Bound);
        FfmpegOf(running).Should().NotBeEmpty("the running job's ffmpeg processes are seen");

        using (var cancelQueued = await _client.DeleteAsync($"/results/{queued}"))
        {
            cancelQueued.StatusCode.Should().Be(HttpStatusCode.NoContent);
        }

        using (var cancelRunning = await _client.DeleteAsync($"/results/{running}"))
        {
            cancelRunning.StatusCode.Should().Be(HttpStatusCode.NoContent);
        }

        await Wait.UntilAsync(() => Task.FromResult(FfmpegOf(running).Count == 0), "its ffmpeg processes end within 2 s", TimeSpan.FromSeconds(2));
        await Wait.UntilAsync(() => Task.FromResult(!Directory.Exists(Path.Combine(_factory.JobsDir, running))), "its files are deleted", TimeSpan.FromSeconds(5));
        Directory.Exists(Path.Combine(_factory.JobsDir, queued)).Should().BeFalse();

        var next = await Http.SubmitAsync(_client, "/blur", Http.Images(("after.jpg", JobFlowTests.Photo())));
        using (var done = await Http.WaitForResultAsync(_client, next, Bound))
        {
            done.StatusCode.Should().Be(HttpStatusCode.OK, "the worker takes the next job");
        }

        _ended.Ids.Should().NotContain(queued, "a cancelled queued job never runs").And.NotContain(running, "a cancelled job is not reported as ended");
        foreach (var id in new[] { running, queued })
        {
            using var gone = await _client.GetAsync($"/results/{id}");
            await Http.ShouldBeErrorAsync(gone, HttpStatusCode.NotFound, "task_not_found");
        }
    }

    [Test]
    public async Task A_second_delete_is_not_found()
    {
        var taskId = await Http.SubmitAsync(_client, "/blur", Http.Images(("a.jpg", JobFlowTests.Photo())));

        using var first = await _client.DeleteAsync($"/results/{taskId}");
        using var second = await _client.DeleteAsync($"/results/{taskId}");

        first.StatusCode.Should().Be(HttpStatusCode.NoContent);
        await Http.ShouldBeErrorAsync(second, HttpStatusCode.NotFound, "task_not_found");
        using var regions = await _client.GetAsync($"/results/{taskId}/regions");
        await Http.ShouldBeErrorAsync(regions, HttpStatusCode.NotFound, "task_not_found");
    }

    [Test]
    public async Task Deleting_a_finished_job_deletes_its_result_unread()
    {
        var taskId = await Http.SubmitAsync(_client, "/blur", Http.Images(("a.jpg", JobFlowTests.Photo())));
        await Wait.UntilAsync(async () => (await _client.GetAsync($"/results/{taskId}/regions")).StatusCode == HttpStatusCode.OK, "the job succeeded", Bound);
        Directory.GetFiles(Path.Combine(_factory.JobsDir, taskId)).Should().NotBeEmpty("the result waits to be downloaded");

        using var cancel = await _client.DeleteAsync($"/results/{taskId}");

        cancel.StatusCode.Should().Be(HttpStatusCode.NoContent);
        Directory.Exists(Path.Combine(_factory.JobsDir, taskId)).Should().BeFalse();
        using var result = await _client.GetAsync($"/results/{taskId}");
        await Http.ShouldBeErrorAsync(result, HttpStatusCode.NotFound, "task_not_found");
    }

    [TestCase("not-a-task")]
    [TestCase("0123456789abcdef0123456789abcdef")]
    public async Task Deleting_an_unknown_id_is_not_found(string taskId)
    {
        using var response = await _client.DeleteAsync($"/results/{taskId}");

        await Http.ShouldBeErrorAsync(response, HttpStatusCode.NotFound, "task_not_found");
    }

    private async Task<double> ProgressOfAsync(string taskId)
    {
        using var response = await _client.GetAsync($"/results/{taskId}");
        response.StatusCode.Should().Be(HttpStatusCode.Accepted, "the job must still be running");
        var json = await Http.JsonAsync(response);
        return json.GetProperty("status").GetString() == "processing" ? json.GetProperty("data").GetProperty("progress").GetDouble() : 0;
    }

    /// <summary>The ffmpeg processes working on a job's files (their command lines name its directory).</summary>
    private static List<int> FfmpegOf(string taskId) =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(dir => (Pid: int.TryParse(Path.GetFileName(dir), out var pid) ? pid : 0, Dir: dir))
            .Where(p => p.Pid > 0 && CommandLine(p.Dir) is { } cmd && cmd.Contains("ffmpeg", StringComparison.Ordinal) && cmd.Contains(taskId, StringComparison.Ordinal))
            .Select(p => p.Pid)];

    private static string? CommandLine(string procDir)
    {
        try
        {
            return File.ReadAllText(Path.Combine(procDir, "cmdline")).Replace('\0', ' ');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The jobs the worker reported as ended (succeeded or failed).</summary>
    private sealed class EndedJobs : IJobObserver
    {
        private readonly System.Collections.Concurrent.ConcurrentBag<string> ids = [];

        public IReadOnlyCollection<string> Ids => [.. ids];

        public Task OnJobEndedAsync(JobEnded ended, CancellationToken cancellationToken)
        {
            ids.Add(ended.TaskId);
            return Task.CompletedTask;
        }
    }
}
