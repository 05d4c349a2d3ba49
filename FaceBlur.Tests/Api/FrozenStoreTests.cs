using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using System.Runtime.ExceptionServices;
using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Tests.Jobs;
using FaceBlur.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FaceBlur.Tests.Api;

/// <summary>
/// A Redis that freezes (SIGSTOP) or stops loses no accepted job and never makes the app answer 500: uploads and polls
/// get 503 meanwhile, and a worker whose job ends while the store does not answer waits for it, without using up the
/// job's deliveries or blaming the media. Against a redis-server of the test's own (commands time out after 1 s here,
/// so a few seconds of outage cover every delivery of the old behaviour) and the real RabbitMQ.
/// </summary>
[NonParallelizable]
[Integration]
public class FrozenStoreTests
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Test]
    public async Task Uploads_and_polls_answer_503_while_redis_is_frozen_and_work_again_when_it_thaws()
    {
        await using var redis = await OwnRedisServer.StartAsync();
        using var factory = new FaceBlurFactory(new Dictionary<string, string?> { ["REDIS_URL"] = ShortTimeouts(redis), ["RABBITMQ_URL"] = "" });
        using var client = factory.CreateClient();
        var done = await Http.SubmitAsync(client, "/blur", Http.Images(("a.jpg", JobFlowTests.Photo())));
        await Wait.UntilAsync(async () => (await factory.Services.GetRequiredService<IJobStore>().GetAsync(done, default))?.Status == JobStatus.Succeeded, "the first job succeeds", Bound);
        var filesBefore = factory.JobFiles();

        redis.Pause();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                using var refused = await client.PostAsync("/blur", Http.Images(("b.jpg", JobFlowTests.Photo())));
                await Http.ShouldBeErrorAsync(refused, HttpStatusCode.ServiceUnavailable, "service_unavailable");
                using var poll = await client.GetAsync($"/results/{done}");
                await Http.ShouldBeErrorAsync(poll, HttpStatusCode.ServiceUnavailable, "service_unavailable");
            }

            factory.JobFiles().Should().BeEquivalentTo(filesBefore, "a refused upload leaves nothing behind");
        }
        finally
        {
            redis.Resume();
        }

        // The app's connection to Redis comes back by itself (it gave up on the frozen one).
        await Wait.UntilAsync(async () => (await client.GetAsync("/health")).StatusCode == HttpStatusCode.OK, "/health sees Redis back", Bound);
        using var result = await client.GetAsync($"/results/{done}");
        result.StatusCode.Should().Be(HttpStatusCode.OK);
        var after = await Http.SubmitAsync(client, "/blur", Http.Images(("c.jpg", JobFlowTests.Photo())));
        (await Http.WaitForResultAsync(client, after, Bound)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Test]
    public async Task A_failure_reported_after_the_job_succeeded_keeps_its_result()
    {
        using var factory = new FaceBlurFactory();
        using var client = factory.CreateClient();
        var taskId = await Http.SubmitAsync(client, "/blur", Http.Images(("a.jpg", JobFlowTests.Photo())));
        var store = factory.Services.GetRequiredService<IJobStore>();
        await Wait.UntilAsync(async () => (await store.GetAsync(taskId, default))?.Status == JobStatus.Succeeded, "the job succeeds", Bound);

        // What a dead-letter handler that ran late would do (a delivery that failed on a store timeout while the
        // completion it had sent was still on its way): the result, already recorded, must stay.
        var message = new JobMessage(taskId, JobKind.Images, [], new FaceBlur.Modules.Processing.Anonymization.AnonymizeOptions(), DateTimeOffset.UtcNow);
        await factory.Services.GetRequiredService<JobService>().DeadLetterAsync(message, 3, default);

        (await store.GetAsync(taskId, default))!.Status.Should().Be(JobStatus.Succeeded);
        using var result = await client.GetAsync($"/results/{taskId}");
        result.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Test]
    public async Task A_job_that_ends_while_redis_is_frozen_succeeds_when_it_thaws_on_its_first_delivery()
    {
        await using var redis = await OwnRedisServer.StartAsync();
        await RunThroughOutageAsync(redis, () =>
        {
            redis.Pause();
            return () =>
            {
                redis.Resume();
                return Task.CompletedTask;
            };
        });
    }

    [Test]
    public async Task A_job_that_ends_while_redis_is_stopped_succeeds_when_it_is_back_on_its_first_delivery()
    {
        await using var redis = await OwnRedisServer.StartAsync(persistent: true);
        await RunThroughOutageAsync(redis, () =>
        {
            redis.Stop();
            return redis.RestartAsync;
        });
    }

    [Test]
    public async Task A_store_call_the_client_library_cancels_by_itself_answers_503_not_500()
    {
        // StackExchange.Redis has been seen to end a call on a frozen server with a TaskCanceledException of its own.
        using var factory = new FaceBlurFactory(services: services => HookedStore.Install(services, method =>
        {
            if (method == nameof(IJobStore.CreateAsync))
            {
                throw new TaskCanceledException("A task was canceled.");
            }
        }));
        using var client = factory.CreateClient();
        using var refused = await client.PostAsync("/blur", Http.Images(("a.jpg", JobFlowTests.Photo())));
        await Http.ShouldBeErrorAsync(refused, HttpStatusCode.ServiceUnavailable, "service_unavailable");
        factory.JobFiles().Should().BeEmpty("a refused upload leaves nothing behind");
    }

    /// <summary>
    /// Runs one photo job on RabbitMQ and <paramref name="redis"/>; the moment its worker writes the completion,
    /// <paramref name="startOutage"/> takes Redis away and what it returns brings it back after <see cref="Outage"/>.
    /// The job must end succeeded, served once, on its first delivery.
    /// </summary>
    private static async Task RunThroughOutageAsync(OwnRedisServer redis, Func<Func<Task>> startOutage)
    {
        var scope = new TransportScope(Transport.RabbitMqRedis);
        await scope.EnsureAvailableAsync();
        Task? outage = null;
        var calls = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        try
        {
            using var factory = new FaceBlurFactory(
                scope.Settings(new Dictionary<string, string?> { ["REDIS_URL"] = ShortTimeouts(redis), ["WORKER_CONCURRENCY"] = "1" }),
                services => HookedStore.Install(services, method =>
                {
                    if (calls.AddOrUpdate(method, 1, (_, n) => n + 1) == 1 && method == nameof(IJobStore.CompleteAsync))
                    {
                        var end = startOutage();
                        outage = Task.Run(async () =>
                        {
                            await Task.Delay(Outage);
                            await end();
                        });
                    }
                }));
            using var client = factory.CreateClient();
            var taskId = await Http.SubmitAsync(client, "/blur", Http.Images(("a.jpg", JobFlowTests.Photo())));

            using var done = await WaitThroughOutageAsync(client, taskId);
            var body = await done.Content.ReadAsStringAsync();
            done.StatusCode.Should().Be(HttpStatusCode.OK, body);
            outage.Should().NotBeNull("the outage began when the worker wrote the completion");
            await outage!;
            var state = await factory.Services.GetRequiredService<IJobStore>().GetAsync(taskId, default);
            state!.Attempts.Should().Be(1, "the job ran once");
            calls.GetValueOrDefault(nameof(IJobStore.TryStartAsync)).Should().Be(1, "the outage used up no delivery: the worker was handed the job once");
            calls.GetValueOrDefault(nameof(IJobStore.FailAsync)).Should().Be(0, "an outage is not the media's fault");
            using var gone = await client.GetAsync($"/results/{taskId}");
            await Http.ShouldBeErrorAsync(gone, HttpStatusCode.Gone, "result_gone");
        }
        finally
        {
            if (outage is not null)
            {
                await outage;
            }

            await scope.CleanUpAsync();
        }
    }

    /// <summary>Polls until the job is done, taking a 503 (the store away) as "ask again"; never a 500.</summary>
    private static async Task<HttpResponseMessage> WaitThroughOutageAsync(HttpClient client, string taskId)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            var response = await client.GetAsync($"/results/{taskId}");
            if (response.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable))
            {
                return response;
            }

            response.Dispose();
            DateTime.UtcNow.Should().BeBefore(deadline, "the job ends once Redis is back");
            await Task.Delay(100);
        }
    }

    /// <summary>The own server's address with 1 s command timeouts (the app's default is 5 s).</summary>
    private static string ShortTimeouts(OwnRedisServer redis) => redis.Url + ",asyncTimeout=1000,syncTimeout=1000";

    /// <summary>
    /// The app's own job store (the real store), with a hook run before every call, given the method's name: where a
    /// test begins an outage at one precise point, counts calls, or throws what a client library may throw.
    /// </summary>
    public class HookedStore : DispatchProxy
    {
        private IJobStore inner = null!;
        private Action<string> before = null!;

        public static void Install(IServiceCollection services, Action<string> before)
        {
            var original = services.Last(d => d.ServiceType == typeof(IJobStore));
            services.Remove(original);
            services.AddSingleton<IJobStore>(provider =>
            {
                var proxy = Create<IJobStore, HookedStore>();
                var hook = (HookedStore)(object)proxy;
                hook.inner = (IJobStore)original.ImplementationFactory!(provider);
                hook.before = before;
                return proxy;
            });
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            before(targetMethod.Name);
            try
            {
                return targetMethod.Invoke(inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }
        }
    }
}
