using System.Diagnostics;
using System.Text;
using FaceBlur.Modules.Processing.Jobs;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace FaceBlur.Tests.Jobs;

/// <summary>What only the RabbitMQ queue has: topology, persistence, an unreachable or flapping broker.</summary>
[CancelAfter(60_000)]
public sealed class RabbitMqJobQueueTests
{
    private readonly List<IAsyncDisposable> _disposables = [];
    private IConnection _admin = null!;
    private string _queueName = "";
    private TestLogger<RabbitMqJobQueue> _log = new();

    [OneTimeSetUp]
    public async Task ConnectAdmin() => _admin = await TestBroker.ConnectOrFailAsync();

    [OneTimeTearDown]
    public async Task DisconnectAdmin()
    {
        if (_admin is not null)
        {
            await _admin.CloseAsync();
            _admin.Dispose();
        }
    }

    [SetUp]
    public void NewQueueName()
    {
        _queueName = TestBroker.NewQueueName();
        _log = new TestLogger<RabbitMqJobQueue>();
    }

    [TearDown]
    public async Task Cleanup()
    {
        var disposables = _disposables.ToArray();
        _disposables.Clear();
        for (var i = disposables.Length - 1; i >= 0; i--)
        {
            await disposables[i].DisposeAsync();
        }

        await TestBroker.DeleteQueuesAsync(_admin, _queueName);
        if (TestContext.CurrentContext.Result.Outcome.Status != NUnit.Framework.Interfaces.TestStatus.Passed)
        {
            foreach (var line in _log.Lines)
            {
                await TestContext.Out.WriteLineAsync(line);
            }
        }
    }

    private RabbitMqJobQueue CreateQueue(string url, int deliveryLimit = 3)
    {
        var queue = new RabbitMqJobQueue(new RabbitMqQueueOptions(url, _queueName, deliveryLimit), _log);
        _disposables.Add(queue);
        return queue;
    }

    private static string UrlWithPort(int port) => new UriBuilder(TestBroker.Url) { Port = port }.Uri.ToString();

    [Test]
    public async Task Unreachable_broker_refuses_jobs_quickly_and_pings_false()
    {
        var queue = CreateQueue(TestBroker.UnreachableUrl);

        var clock = Stopwatch.StartNew();
        var enqueue = () => queue.EnqueueAsync(TestMessages.Create(), CancellationToken.None);
        await enqueue.Should().ThrowAsync<JobQueueUnavailableException>();
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(6));

        (await queue.PingAsync(CancellationToken.None)).Should().BeFalse();
        var stats = () => queue.GetStatsAsync(CancellationToken.None);
        await stats.Should().ThrowAsync<JobQueueUnavailableException>();
    }

    [Test]
    public async Task Consumer_keeps_retrying_while_the_broker_is_down_and_stops_on_cancellation()
    {
        var queue = CreateQueue(TestBroker.UnreachableUrl);
        var run = ConsumerRun.Start(queue, 1, (_, _) => Task.CompletedTask);

        await Task.Delay(1500);
        run.Task.IsCompleted.Should().BeFalse("ConsumeAsync returns only on cancellation");
        await run.StopAsync();
        _log.Lines.Should().Contain(line => line.Contains("retrying", StringComparison.Ordinal));
    }

    [Test]
    public async Task Starts_without_a_broker_then_connects_and_survives_a_broker_outage()
    {
        var relay = new TcpRelay(new Uri(TestBroker.Url).Port);
        _disposables.Add(relay);
        var queue = CreateQueue(UrlWithPort(relay.Port));
        var received = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var run = ConsumerRun.Start(queue, 1, (delivery, _) =>
        {
            received.Enqueue(delivery.Message.TaskId);
            return Task.CompletedTask;
        });

        // Down at start: the queue refuses jobs, the consumer waits.
        var enqueueWhileDown = () => queue.EnqueueAsync(TestMessages.Create(), CancellationToken.None);
        await enqueueWhileDown.Should().ThrowAsync<JobQueueUnavailableException>();
        (await queue.PingAsync(CancellationToken.None)).Should().BeFalse();

        relay.Start();
        var first = TestMessages.Create(1);
        await queue.EnqueueAsync(first, CancellationToken.None);
        await Wait.UntilAsync(() => received.Contains(first.TaskId), "the consumer connected and got the first job", TimeSpan.FromSeconds(15));

        // The broker goes away (every connection cut) and comes back.
        relay.Stop();
        await Wait.UntilAsync(async () => !await queue.PingAsync(CancellationToken.None), "the outage is seen");
        await enqueueWhileDown.Should().ThrowAsync<JobQueueUnavailableException>();
        relay.Start();

        var second = TestMessages.Create(2);
        await Wait.UntilAsync(
            async () =>
            {
                try
                {
                    await queue.EnqueueAsync(second, CancellationToken.None);
                    return true;
                }
                catch (JobQueueUnavailableException)
                {
                    return false;
                }
            },
            "the publisher reconnected",
            TimeSpan.FromSeconds(20));
        await Wait.UntilAsync(() => received.Contains(second.TaskId), "the consumer reconnected and got the second job", TimeSpan.FromSeconds(20));
        await run.StopAsync();
    }

    [Test]
    public async Task Consumer_replaces_a_connection_that_does_not_recover_in_time()
    {
        var relay = new TcpRelay(new Uri(TestBroker.Url).Port);
        _disposables.Add(relay);
        relay.Start();
        var queue = new RabbitMqJobQueue(new RabbitMqQueueOptions(UrlWithPort(relay.Port), _queueName), _log)
        {
            RecoveryGrace = TimeSpan.FromMilliseconds(500), // shorter than the client's 2 s recovery interval
        };
        _disposables.Add(queue);
        var received = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var run = ConsumerRun.Start(queue, 1, (delivery, _) =>
        {
            received.Enqueue(delivery.Message.TaskId);
            return Task.CompletedTask;
        });
        _disposables.Add(new AsyncDisposable(run.StopAsync));
        await Wait.UntilAsync(
            () => _log.Lines.Any(line => line.Contains("Job consumer started", StringComparison.Ordinal)), "the consumer started");

        relay.Stop();
        await Wait.UntilAsync(
            () => _log.Lines.Any(line => line.Contains("did not recover; reconnecting", StringComparison.Ordinal)),
            "the consumer gave up on the lost connection");
        relay.Start();

        var job = TestMessages.Create();
        await using var direct = new RabbitMqJobQueue(new RabbitMqQueueOptions(TestBroker.Url, _queueName), _log);
        await direct.EnqueueAsync(job, CancellationToken.None);
        await Wait.UntilAsync(() => received.Contains(job.TaskId), "the rebuilt consumer got the job", TimeSpan.FromSeconds(15));
    }

    [Test]
    public async Task Queue_is_a_durable_quorum_queue_with_persistent_messages_and_a_dead_letter_queue()
    {
        var queue = CreateQueue(TestBroker.Url, deliveryLimit: 4);
        await queue.EnqueueAsync(TestMessages.Create(), CancellationToken.None);
        await using var channel = await _admin.CreateChannelAsync();

        var got = await channel.BasicGetAsync(_queueName, autoAck: false);
        got.Should().NotBeNull();
        got!.BasicProperties.Persistent.Should().BeTrue();
        got.BasicProperties.DeliveryMode.Should().Be(DeliveryModes.Persistent);
        got.BasicProperties.ContentType.Should().Be("application/json");
        await channel.BasicNackAsync(got.DeliveryTag, multiple: false, requeue: true);

        // Same arguments: accepted. The queue exists with exactly these.
        var expected = new Dictionary<string, object?>
        {
            ["x-queue-type"] = "quorum",
            ["x-delivery-limit"] = 3,
            ["x-dead-letter-exchange"] = "",
            ["x-dead-letter-routing-key"] = _queueName + ".dead",
            ["x-dead-letter-strategy"] = "at-least-once",
            ["x-overflow"] = "reject-publish",
        };
        await channel.QueueDeclareAsync(_queueName, durable: true, exclusive: false, autoDelete: false, expected);
        await channel.QueueDeclareAsync(
            _queueName + ".dead", durable: true, exclusive: false, autoDelete: false,
            new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });

        // Different arguments: PRECONDITION_FAILED.
        await ExpectPreconditionFailedAsync(new Dictionary<string, object?>(expected) { ["x-queue-type"] = "classic" });
        await ExpectPreconditionFailedAsync(new Dictionary<string, object?>(expected) { ["x-delivery-limit"] = 5 });
    }

    [Test]
    public async Task Unreadable_message_is_dropped_and_the_next_job_flows()
    {
        var queue = CreateQueue(TestBroker.Url);
        (await queue.PingAsync(CancellationToken.None)).Should().BeTrue(); // declares the topology
        await using (var channel = await _admin.CreateChannelAsync())
        {
            await channel.BasicPublishAsync(string.Empty, _queueName, Encoding.UTF8.GetBytes("{ not a job"));
        }

        var job = TestMessages.Create();
        await queue.EnqueueAsync(job, CancellationToken.None);
        var deliveries = new System.Collections.Concurrent.ConcurrentQueue<JobDelivery>();
        var deadLetters = 0;
        var run = ConsumerRun.Start(
            queue,
            1,
            (delivery, _) =>
            {
                deliveries.Enqueue(delivery);
                return Task.CompletedTask;
            },
            (_, _, _) =>
            {
                Interlocked.Increment(ref deadLetters);
                return Task.CompletedTask;
            });
        _disposables.Add(new AsyncDisposable(run.StopAsync));

        await Wait.UntilAsync(() => !deliveries.IsEmpty, "the valid job was delivered");
        await Wait.UntilAsync(
            async () => (await queue.GetStatsAsync(CancellationToken.None)).Queued == 0, "the queue is empty");
        await Task.Delay(200);
        deliveries.Select(d => (d.Message.TaskId, d.DeliveryCount)).Should().Equal((job.TaskId, 1));
        deadLetters.Should().Be(0);
        _log.Lines.Should().Contain(line => line.Contains("Invalid job message dropped", StringComparison.Ordinal));
    }

    private async Task ExpectPreconditionFailedAsync(IDictionary<string, object?> arguments)
    {
        await using var channel = await _admin.CreateChannelAsync();
        var declare = () => channel.QueueDeclareAsync(_queueName, durable: true, exclusive: false, autoDelete: false, arguments);
        (await declare.Should().ThrowAsync<OperationInterruptedException>())
            .Which.ShutdownReason!.ReplyCode.Should().Be(406);
    }

    private sealed class AsyncDisposable(Func<Task> dispose) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await dispose();
    }
}
