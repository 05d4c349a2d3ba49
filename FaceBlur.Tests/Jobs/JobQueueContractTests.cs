using System.Collections.Concurrent;
using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Jobs;

/// <summary>The <see cref="IJobQueue"/> semantics, against both implementations (RabbitMQ: the real broker).</summary>
[TestFixture(QueueKind.InProcess, Category = TestCategory.Unit)]
[TestFixture(QueueKind.RabbitMq, Category = TestCategory.Integration)]
[CancelAfter(60_000)]
public sealed class JobQueueContractTests(QueueKind kind)
{
    private readonly QueueTestScope _scope = new();

    [OneTimeSetUp]
    public async Task ConnectAdmin()
    {
        if (kind == QueueKind.RabbitMq)
        {
            await _scope.ConnectAdminAsync();
        }
    }

    [OneTimeTearDown]
    public Task DisconnectAdmin() => _scope.DisconnectAdminAsync();

    [SetUp]
    public void BeginTest() => _scope.BeginTest();

    [TearDown]
    public Task StopAndDelete() => _scope.EndTestAsync();

    private IJobQueue CreateQueue(int deliveryLimit = 3) => kind switch
    {
        QueueKind.InProcess => new InProcessJobQueue(deliveryLimit),
        _ => _scope.CreateRabbitMqQueue(TestBroker.Url, deliveryLimit),
    };

    private ConsumerRun Consume(
        IJobQueue queue,
        int prefetch,
        Func<JobDelivery, CancellationToken, Task> handler,
        Func<JobMessage, int, CancellationToken, Task>? onDeadLetter = null) =>
        _scope.Consume(queue, prefetch, handler, onDeadLetter);

    [Test]
    public async Task Enqueued_message_is_delivered_with_every_field()
    {
        var queue = CreateQueue();
        var message = TestMessages.Create(1);
        await queue.EnqueueAsync(message, CancellationToken.None);
        var received = new TaskCompletionSource<JobDelivery>(TaskCreationOptions.RunContinuationsAsynchronously);

        Consume(queue, 1, (delivery, _) =>
        {
            received.TrySetResult(delivery);
            return Task.CompletedTask;
        });

        var got = await received.Task.WaitAsync(Wait.Timeout);
        got.DeliveryCount.Should().Be(1);
        got.Message.Should().BeEquivalentTo(message);
    }

    [Test]
    public async Task Single_consumer_receives_messages_in_order()
    {
        var queue = CreateQueue();
        var messages = Enumerable.Range(0, 10).Select(TestMessages.Create).ToList();
        foreach (var message in messages)
        {
            await queue.EnqueueAsync(message, CancellationToken.None);
        }

        var seen = new ConcurrentQueue<string>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Consume(queue, 1, (delivery, _) =>
        {
            seen.Enqueue(delivery.Message.TaskId);
            if (seen.Count == messages.Count)
            {
                all.TrySetResult();
            }

            return Task.CompletedTask;
        });

        await all.Task.WaitAsync(Wait.Timeout);
        seen.Should().Equal(messages.Select(m => m.TaskId));
    }

    [Test]
    public async Task At_most_prefetch_handlers_run_at_once()
    {
        var queue = CreateQueue();
        for (var i = 0; i < 5; i++)
        {
            await queue.EnqueueAsync(TestMessages.Create(i), CancellationToken.None);
        }

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int running = 0, maxRunning = 0, started = 0, finished = 0;
        Consume(queue, 2, async (_, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            Interlocked.Increment(ref started);
            InterlockedMax(ref maxRunning, now);
            await gate.Task.WaitAsync(ct);
            Interlocked.Decrement(ref running);
            Interlocked.Increment(ref finished);
        });

        await Wait.UntilAsync(() => Volatile.Read(ref started) == 2, "two handlers started");
        await Task.Delay(300); // room for a third one to (wrongly) start
        Volatile.Read(ref started).Should().Be(2);

        gate.SetResult();
        await Wait.UntilAsync(() => Volatile.Read(ref finished) == 5, "all five handled");
        maxRunning.Should().Be(2);
    }

    [Test]
    public async Task Failed_handler_gets_the_message_again_with_a_higher_delivery_count()
    {
        var queue = CreateQueue(deliveryLimit: 3);
        var message = TestMessages.Create(0);
        await queue.EnqueueAsync(message, CancellationToken.None);
        var counts = new ConcurrentQueue<int>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deadLetters = 0;

        Consume(
            queue,
            1,
            (delivery, _) =>
            {
                delivery.Message.TaskId.Should().Be(message.TaskId);
                counts.Enqueue(delivery.DeliveryCount);
                if (delivery.DeliveryCount < 3)
                {
                    throw new InvalidOperationException("transient failure");
                }

                done.TrySetResult();
                return Task.CompletedTask;
            },
            (_, _, _) =>
            {
                Interlocked.Increment(ref deadLetters);
                return Task.CompletedTask;
            });

        await done.Task.WaitAsync(Wait.Timeout);
        counts.Should().Equal(1, 2, 3);
        await Task.Delay(200);
        deadLetters.Should().Be(0);
        counts.Should().HaveCount(3, "an acknowledged message is not delivered again");
    }

    [Test]
    public async Task Message_over_the_delivery_limit_is_dead_lettered_once_and_the_queue_moves_on()
    {
        var queue = CreateQueue(deliveryLimit: 3);
        var poison = TestMessages.Create(0);
        var good = TestMessages.Create(1);
        var later = TestMessages.Create(2);
        await queue.EnqueueAsync(poison, CancellationToken.None);
        await queue.EnqueueAsync(good, CancellationToken.None);

        var poisonCounts = new ConcurrentQueue<int>();
        var handled = new ConcurrentQueue<string>();
        var deadLetters = new ConcurrentQueue<(string TaskId, int Deliveries)>();
        var deadLettered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var laterHandled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Consume(
            queue,
            1,
            (delivery, _) =>
            {
                if (delivery.Message.TaskId == poison.TaskId)
                {
                    poisonCounts.Enqueue(delivery.DeliveryCount);
                    throw new InvalidOperationException("always fails");
                }

                handled.Enqueue(delivery.Message.TaskId);
                if (delivery.Message.TaskId == later.TaskId)
                {
                    laterHandled.TrySetResult();
                }

                return Task.CompletedTask;
            },
            (message, deliveries, _) =>
            {
                message.Should().BeEquivalentTo(poison);
                deadLetters.Enqueue((message.TaskId, deliveries));
                deadLettered.TrySetResult();
                return Task.CompletedTask;
            });

        await deadLettered.Task.WaitAsync(Wait.Timeout);
        await queue.EnqueueAsync(later, CancellationToken.None);
        await laterHandled.Task.WaitAsync(Wait.Timeout);
        await Task.Delay(300); // room for a (wrong) further delivery or dead-letter call

        poisonCounts.Should().Equal(1, 2, 3);
        deadLetters.Should().Equal((poison.TaskId, 3));
        handled.Should().Equal(good.TaskId, later.TaskId);
        (await queue.GetStatsAsync(CancellationToken.None)).Queued.Should().Be(0);
    }

    [Test]
    public async Task Message_in_flight_when_the_consumer_stops_goes_to_the_next_consumer()
    {
        var queue = CreateQueue();
        var message = TestMessages.Create(0);
        await queue.EnqueueAsync(message, CancellationToken.None);
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = ConsumerRun.Start(queue, 1, async (_, ct) =>
        {
            firstStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                firstCancelled.TrySetResult();
                throw;
            }
        });
        await firstStarted.Task.WaitAsync(Wait.Timeout);

        await first.StopAsync();

        firstCancelled.Task.IsCompleted.Should().BeTrue("the in-flight handler is cancelled");
        var again = new TaskCompletionSource<JobDelivery>(TaskCreationOptions.RunContinuationsAsynchronously);
        Consume(queue, 1, (delivery, _) =>
        {
            again.TrySetResult(delivery);
            return Task.CompletedTask;
        });
        var redelivered = await again.Task.WaitAsync(Wait.Timeout);
        redelivered.Message.Should().BeEquivalentTo(message);
        redelivered.DeliveryCount.Should().Be(2);
    }

    [Test]
    public async Task Stats_count_waiting_messages_and_consumers()
    {
        var queue = CreateQueue();
        for (var i = 0; i < 3; i++)
        {
            await queue.EnqueueAsync(TestMessages.Create(i), CancellationToken.None);
        }

        await Wait.UntilAsync(
            async () => await queue.GetStatsAsync(CancellationToken.None) == new QueueStats(3, 0), "3 queued, 0 consumers");

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = Consume(queue, 1, async (_, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        });
        await started.Task.WaitAsync(Wait.Timeout);
        await Wait.UntilAsync(
            async () => await queue.GetStatsAsync(CancellationToken.None) == new QueueStats(2, 1), "2 queued, 1 consumer");

        await run.StopAsync();
        await Wait.UntilAsync(
            async () => await queue.GetStatsAsync(CancellationToken.None) == new QueueStats(3, 0),
            "the in-flight message back: 3 queued, 0 consumers");
    }

    [Test]
    public async Task Ping_is_true_when_the_queue_works()
    {
        var queue = CreateQueue();

        (await queue.IsHealthyAsync(CancellationToken.None)).Should().BeTrue();
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value
            && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
