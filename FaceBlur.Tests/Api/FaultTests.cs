using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using FaceBlur.Tests.Jobs;
using FaceBlur.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FaceBlur.Tests.Api;

/// <summary>
/// Faults against the real dependencies: a SIGKILLed process, a broker outage (through a relay), a Redis that goes
/// away (a redis-server of the test's own), and two instances sharing everything.
/// </summary>
[NonParallelizable]
[Integration]
public partial class FaultTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Uploads_get_503_while_the_broker_is_cut_and_the_app_reconnects_by_itself()
    {
        var scope = new TransportScope(Transport.RabbitMqRedis);
        await scope.EnsureAvailableAsync();
        await using var relay = new TcpRelay(new Uri(TestBroker.Url).Port);
        relay.Start();
        var brokerUrl = new UriBuilder(TestBroker.Url) { Port = relay.Port }.Uri.ToString();
        try
        {
            using var factory = new FaceBlurFactory(scope.Settings(new Dictionary<string, string?> { ["RABBITMQ_URL"] = brokerUrl, ["WORKER_CONCURRENCY"] = "1" }));
            using var client = factory.CreateClient();
            var before = await Http.SubmitAsync(client, "/blur", Http.Images(("a.jpg", JobFlowTests.Photo())));
            (await Http.WaitForResultAsync(client, before, Bound)).StatusCode.Should().Be(HttpStatusCode.OK);

            relay.Stop();
            await Wait.UntilAsync(async () => (await client.GetAsync("/health")).StatusCode == HttpStatusCode.ServiceUnavailable, "/health sees the outage", Bound);
            using (var health = await client.GetAsync("/health"))
            {
                (await Http.JsonAsync(health)).GetProperty("data").GetProperty("checks").GetProperty("queue").GetString().Should().Be("down");
            }

            for (var i = 0; i < 3; i++)
            {
                using var refused = await client.PostAsync("/blur", Http.Images(("b.jpg", JobFlowTests.Photo())));
                await Http.ShouldBeErrorAsync(refused, HttpStatusCode.ServiceUnavailable, "service_unavailable");
            }

            factory.JobFiles().Should().BeEmpty("a refused upload leaves nothing behind");

            relay.Start();
            await Wait.UntilAsync(async () => (await client.GetAsync("/health")).StatusCode == HttpStatusCode.OK, "/health sees the broker back", Bound);
            var after = await Http.SubmitAsync(client, "/blur", Http.Images(("c.jpg", JobFlowTests.Photo())));
            using var done = await Http.WaitForResultAsync(client, after, Bound);
            done.StatusCode.Should().Be(HttpStatusCode.OK, "the consumer reconnected by itself");
        }
        finally
        {
            await scope.CleanUpAsync();
        }
    }

    [Test]
    public async Task Uploads_get_503_while_redis_is_down_and_the_app_recovers_when_it_is_back()
    {
        await using var redis = await OwnRedisServer.StartAsync();
        using (var factory = new FaceBlurFactory(new Dictionary<string, string?> { ["REDIS_URL"] = redis.Url, ["RABBITMQ_URL"] = "" }))
        {
            using var client = factory.CreateClient();
            var before = await Http.SubmitAsync(client, "/blur", Http.Images(("a.jpg", JobFlowTests.Photo())));
            (await Http.WaitForResultAsync(client, before, Bound)).StatusCode.Should().Be(HttpStatusCode.OK);

            redis.Kill();
            using (var refused = await client.PostAsync("/blur", Http.Images(("b.jpg", JobFlowTests.Photo()))))
            {
                await Http.ShouldBeErrorAsync(refused, HttpStatusCode.ServiceUnavailable, "service_unavailable");
            }

            factory.JobFiles().Should().BeEmpty("a refused upload leaves nothing behind");
            using (var health = await client.GetAsync("/health"))
            {
                health.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
                var json = await Http.JsonAsync(health);
                json.GetProperty("data").GetProperty("checks").GetProperty("result_store").GetString().Should().Be("down");
                json.GetProperty("data").GetProperty("checks").GetProperty("queue").GetString().Should().Be("ok");
                json.GetProperty("message").GetString().Should().Contain("result_store");
            }

            await redis.RestartAsync();
            await Wait.UntilAsync(async () => (await client.GetAsync("/health")).StatusCode == HttpStatusCode.OK, "/health sees Redis back", Bound);
            var after = await Http.SubmitAsync(client, "/blur", Http.Images(("c.jpg", JobFlowTests.Photo())));
            using var done = await Http.WaitForResultAsync(client, after, Bound);
            done.StatusCode.Should().Be(HttpStatusCode.OK);
        }
    }

    [Test]
    public async Task Two_instances_share_the_work_and_either_serves_any_result()
    {
        var scope = new TransportScope(Transport.RabbitMqRedis);
        await scope.EnsureAvailableAsync();
        var storage = Directory.CreateTempSubdirectory("faceblur-two-").FullName;
        try
        {
            var settings = scope.Settings(new Dictionary<string, string?> { ["STORAGE_DIR"] = storage, ["WORKER_CONCURRENCY"] = "1" });
            var processedByA = new CountingObserver();
            var processedByB = new CountingObserver();
            using var a = new FaceBlurFactory(settings, s => s.AddSingleton<FaceBlur.Modules.Processing.Jobs.IJobObserver>(processedByA));
            using var b = new FaceBlurFactory(settings, s => s.AddSingleton<FaceBlur.Modules.Processing.Jobs.IJobObserver>(processedByB));
            using var clientA = a.CreateClient();
            using var clientB = b.CreateClient();

            // Both consumers attached before the jobs arrive, so the broker has two to spread them over.
            await Wait.UntilAsync(
                async () =>
                {
                    using var queue = await clientB.GetAsync("/queue");
                    return (await Http.JsonAsync(queue)).GetProperty("data").GetProperty("consumers").GetInt32() >= 2;
                },
                "both instances consume",
                Bound);
            var ids = new List<string>();
            for (var i = 0; i < 6; i++)
            {
                ids.Add(await Http.SubmitAsync(clientA, "/blur", Http.Images(($"p{i}.jpg", JobFlowTests.Photo()))));
            }

            foreach (var id in ids)
            {
                using var done = await Http.WaitForResultAsync(clientB, id, Bound);
                done.StatusCode.Should().Be(HttpStatusCode.OK, "instance B serves what A accepted");
                using var gone = await clientA.GetAsync($"/results/{id}");
                await Http.ShouldBeErrorAsync(gone, HttpStatusCode.Gone, "result_gone");
            }

            (processedByA.Count + processedByB.Count).Should().Be(6);
            processedByA.Count.Should().BePositive("instance A processed jobs");
            processedByB.Count.Should().BePositive("instance B processed jobs");
        }
        finally
        {
            await scope.CleanUpAsync();
            Directory.Delete(storage, recursive: true);
        }
    }

    [Test]
    public async Task Every_job_accepted_before_a_sigkill_completes_once_after_the_restart()
    {
        const int Jobs = 12;
        var scope = new TransportScope(Transport.RabbitMqRedis);
        await scope.EnsureAvailableAsync();
        var storage = Directory.CreateTempSubdirectory("faceblur-kill-").FullName;
        var port = FreePort();
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(20) };
        AppProcess? app = null;
        var logs = new ConcurrentQueue<string>();
        try
        {
            app = AppProcess.Start(port, storage, scope.Settings(), logs);
            await Wait.UntilAsync(() => Http.IsUpAsync(client), "the first process listens", Bound);
            var ids = new List<string>();
            for (var i = 0; i < Jobs; i++)
            {
                ids.Add(await Http.SubmitAsync(client, "/blur", Http.Images(($"p{i}.jpg", JobFlowTests.Photo()))));
            }

            await Wait.UntilAsync(() => Succeeded(logs).Count >= 2, "some jobs completed", Bound);
            app.Kill9();
            var beforeKill = Succeeded(logs).Count;
            beforeKill.Should().BeLessThan(Jobs, "the kill must land in the middle of the batch");

            app = AppProcess.Start(port, storage, scope.Settings(), logs);
            await Wait.UntilAsync(() => Http.IsUpAsync(client), "the second process listens", Bound);
            foreach (var id in ids)
            {
                using var done = await Http.WaitForResultAsync(client, id, Bound);
                done.StatusCode.Should().Be(HttpStatusCode.OK, $"job {id} completes after the restart");
                using var gone = await client.GetAsync($"/results/{id}");
                await Http.ShouldBeErrorAsync(gone, HttpStatusCode.Gone, "result_gone");
            }

            var succeeded = Succeeded(logs);
            succeeded.GroupBy(id => id).Where(g => g.Count() > 1).Should().BeEmpty("no job produces two results");
            succeeded.Distinct().Should().HaveCountGreaterThanOrEqualTo(Jobs - 1, "at most the job cut by the kill may lack its line");
        }
        finally
        {
            app?.Kill9();
            client.Dispose();
            await scope.CleanUpAsync();
            Directory.Delete(storage, recursive: true);
        }
    }

    private static List<string> Succeeded(ConcurrentQueue<string> logs) =>
        [.. logs.Select(line => SucceededLine().Match(line)).Where(m => m.Success).Select(m => m.Groups[1].Value)];

    [GeneratedRegex("Job ([0-9a-f]{32}) succeeded")]
    private static partial Regex SucceededLine();

    internal static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private sealed class CountingObserver : FaceBlur.Modules.Processing.Jobs.IJobObserver
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public Task OnJobEndedAsync(FaceBlur.Modules.Processing.Jobs.JobEnded ended, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return Task.CompletedTask;
        }
    }
}
