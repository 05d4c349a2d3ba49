using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Modules.Processing.Jobs.RabbitMq;
using FaceBlur.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace FaceBlur.Tests.Jobs;

/// <summary>What only the RabbitMQ queue has: topology, persistence, an unreachable or flapping broker.</summary>
[CancelAfter(60_000)]
[Integration]
public sealed class RabbitMqJobQueueTests
{
    private readonly QueueTestScope _scope = new();

    [OneTimeSetUp]
    public Task ConnectAdmin() => _scope.ConnectAdminAsync();

    [OneTimeTearDown]
    public Task DisconnectAdmin() => _scope.DisconnectAdminAsync();

    [SetUp]
    public void BeginTest() => _scope.BeginTest();

    [TearDown]
    public Task Cleanup() => _scope.EndTestAsync();

    private static string UrlWithPort(int port) => new UriBuilder(TestBroker.Url) { Port = port }.Uri.ToString();

    [Test]
    public async Task Unreachable_broker_refuses_jobs_quickly_and_pings_false()
    {
        var queue = _scope.CreateRabbitMqQueue(TestBroker.UnreachableUrl);

        var clock = Stopwatch.StartNew();
        var enqueue = () => queue.EnqueueAsync(TestMessages.Create(), CancellationToken.None);
        await enqueue.Should().ThrowAsync<JobQueueUnavailableException>();
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(6));

        (await queue.IsHealthyAsync(CancellationToken.None)).Should().BeFalse();
        var stats = () => queue.GetStatsAsync(CancellationToken.None);
        await stats.Should().ThrowAsync<JobQueueUnavailableException>();
    }

    [Test]
    public async Task Consumer_keeps_retrying_while_the_broker_is_down_and_stops_on_cancellation()
    {
        var queue = _scope.CreateRabbitMqQueue(TestBroker.UnreachableUrl);
        var run = _scope.Consume(queue, 1, (_, _) => Task.CompletedTask);

        await Task.Delay(1500);
        run.Task.IsCompleted.Should().BeFalse("ConsumeAsync returns only on cancellation");
        await run.StopAsync();
        _scope.Log.Lines.Should().Contain(line => line.Contains("retrying", StringComparison.Ordinal));
    }

    [Test]
    public async Task Starts_without_a_broker_then_connects_and_survives_a_broker_outage()
    {
        var relay = _scope.Own(new TcpRelay(new Uri(TestBroker.Url).Port));
        var queue = _scope.CreateRabbitMqQueue(UrlWithPort(relay.Port));
        var received = new ConcurrentQueue<string>();
        var run = _scope.Consume(queue, 1, (delivery, _) =>
        {
            received.Enqueue(delivery.Message.TaskId);
            return Task.CompletedTask;
        });

        // Down at start: the queue refuses jobs, the consumer waits.
        var enqueueWhileDown = () => queue.EnqueueAsync(TestMessages.Create(), CancellationToken.None);
        await enqueueWhileDown.Should().ThrowAsync<JobQueueUnavailableException>();
        (await queue.IsHealthyAsync(CancellationToken.None)).Should().BeFalse();

        relay.Start();
        var first = TestMessages.Create(1);
        await queue.EnqueueAsync(first, CancellationToken.None);
        await Wait.UntilAsync(() => received.Contains(first.TaskId), "the consumer connected and got the first job", TimeSpan.FromSeconds(15));

        // The broker goes away (every connection cut) and comes back.
        relay.Stop();
        await Wait.UntilAsync(async () => !await queue.IsHealthyAsync(CancellationToken.None), "the outage is seen");
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
        var relay = _scope.Own(new TcpRelay(new Uri(TestBroker.Url).Port));
        relay.Start();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var queue = _scope.CreateRabbitMqQueue(UrlWithPort(relay.Port), time: clock);
        var received = new ConcurrentQueue<string>();
        _scope.Consume(queue, 1, (delivery, _) =>
        {
            received.Enqueue(delivery.Message.TaskId);
            return Task.CompletedTask;
        });
        await Wait.UntilAsync(() => LogHas("Job consumer started"), "the consumer started");

        relay.Stop();
        await Wait.UntilAsync(() => LogHas("RabbitMQ connection lost: Role=consumer"), "the consumer saw the loss");
        clock.Advance(BrokerConnection.RecoveryGrace - TimeSpan.FromSeconds(1));
        await Task.Delay(200);
        LogHas("did not recover").Should().BeFalse("the connection is left to automatic recovery for the whole grace");
        clock.Advance(TimeSpan.FromSeconds(2));
        await Wait.UntilAsync(() => LogHas("did not recover; reconnecting"), "the consumer gave up on the lost connection");
        relay.Start();

        var job = TestMessages.Create();
        await using var direct = new RabbitMqJobQueue(
            new RabbitMqQueueOptions(TestBroker.Url, _scope.QueueName), TimeProvider.System, _scope.Log);
        await direct.EnqueueAsync(job, CancellationToken.None);
        await Wait.UntilAsync(
            () =>
            {
                clock.Advance(TimeSpan.FromSeconds(1)); // moves the consumer's reconnection back-off on
                return received.Contains(job.TaskId);
            },
            "the rebuilt consumer got the job",
            TimeSpan.FromSeconds(15));
    }

    [Test]
    public async Task Queue_is_a_durable_quorum_queue_with_persistent_messages_and_a_dead_letter_queue()
    {
        var queue = _scope.CreateRabbitMqQueue(TestBroker.Url, deliveryLimit: 4);
        await queue.EnqueueAsync(TestMessages.Create(), CancellationToken.None);
        await using var channel = await _scope.Admin.CreateChannelAsync();

        var got = await channel.BasicGetAsync(_scope.QueueName, autoAck: false);
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
            ["x-dead-letter-routing-key"] = _scope.QueueName + ".dead",
            ["x-dead-letter-strategy"] = "at-least-once",
            ["x-overflow"] = "reject-publish",
        };
        await channel.QueueDeclareAsync(_scope.QueueName, durable: true, exclusive: false, autoDelete: false, expected);
        await channel.QueueDeclareAsync(
            _scope.QueueName + ".dead", durable: true, exclusive: false, autoDelete: false,
            new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });

        // Different arguments: PRECONDITION_FAILED.
        await ExpectPreconditionFailedAsync(new Dictionary<string, object?>(expected) { ["x-queue-type"] = "classic" });
        await ExpectPreconditionFailedAsync(new Dictionary<string, object?>(expected) { ["x-delivery-limit"] = 5 });
    }

    [Test]
    public async Task Consumer_cancelled_by_the_broker_starts_over_and_declares_its_queues_again()
    {
        var queue = _scope.CreateRabbitMqQueue(TestBroker.Url);
        var received = new ConcurrentQueue<string>();
        _scope.Consume(queue, 1, (delivery, _) =>
        {
            received.Enqueue(delivery.Message.TaskId);
            return Task.CompletedTask;
        });
        await Wait.UntilAsync(() => LogHas("Job consumer started"), "the consumer started");

        // Deleting the queues cancels the consumers: automatic recovery does not undo that (the connection is fine).
        await TestBroker.DeleteQueuesAsync(_scope.Admin, _scope.QueueName);
        await Wait.UntilAsync(() => LogHas("cancelled by the broker; restarting"), "the consumer saw the cancellation");

        var job = TestMessages.Create();
        await Wait.UntilAsync(
            async () => (await queue.GetStatsAsync(CancellationToken.None)).Consumers == 1, "the queue is back with its consumer");
        await queue.EnqueueAsync(job, CancellationToken.None);
        await Wait.UntilAsync(() => received.Contains(job.TaskId), "the restarted consumer got the job");
    }

    [Test]
    public async Task Unreadable_message_is_dropped_and_the_next_job_flows()
    {
        var queue = _scope.CreateRabbitMqQueue(TestBroker.Url);
        (await queue.IsHealthyAsync(CancellationToken.None)).Should().BeTrue(); // declares the topology
        await using (var channel = await _scope.Admin.CreateChannelAsync())
        {
            await channel.BasicPublishAsync(string.Empty, _scope.QueueName, Encoding.UTF8.GetBytes("{ not a job"));
        }

        var job = TestMessages.Create();
        await queue.EnqueueAsync(job, CancellationToken.None);
        var deliveries = new ConcurrentQueue<JobDelivery>();
        var deadLetters = 0;
        var run = _scope.Consume(
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

        await Wait.UntilAsync(() => !deliveries.IsEmpty, "the valid job was delivered");
        await Wait.UntilAsync(
            async () => (await queue.GetStatsAsync(CancellationToken.None)).Queued == 0, "the queue is empty");
        await Task.Delay(200);
        deliveries.Select(d => (d.Message.TaskId, d.DeliveryCount)).Should().Equal((job.TaskId, 1));
        deadLetters.Should().Be(0);
        _scope.Log.Lines.Should().Contain(line => line.Contains("Invalid job message dropped", StringComparison.Ordinal));
    }

    private bool LogHas(string text) => _scope.Log.Lines.Any(line => line.Contains(text, StringComparison.Ordinal));

    private async Task ExpectPreconditionFailedAsync(IDictionary<string, object?> arguments)
    {
        await using var channel = await _scope.Admin.CreateChannelAsync();
        var declare = () => channel.QueueDeclareAsync(_scope.QueueName, durable: true, exclusive: false, autoDelete: false, arguments);
        (await declare.Should().ThrowAsync<OperationInterruptedException>())
            .Which.ShutdownReason!.ReplyCode.Should().Be(406);
    }
}
