using System.Collections.Concurrent;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Modules.Processing.Jobs.RabbitMq;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace FaceBlur.Tests.Jobs;

public enum QueueKind
{
    InProcess,
    RabbitMq,
}

/// <summary>The RabbitMQ broker the tests use (RABBITMQ_TEST_URL, default the local one).</summary>
internal static class TestBroker
{
    public const string UnreachableUrl = "amqp://guest:guest@127.0.0.1:1/";

    public static string Url { get; } =
        Environment.GetEnvironmentVariable("RABBITMQ_TEST_URL") is { Length: > 0 } url
            ? url
            : "amqp://guest:guest@127.0.0.1:5672/";

    public static string NewQueueName() => $"faceblur-test-{Guid.NewGuid():N}";

    /// <summary>An admin connection; fails the calling fixture with a clear message when the broker is down.</summary>
    public static async Task<IConnection> ConnectOrFailAsync()
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(Url),
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            AutomaticRecoveryEnabled = false,
            ClientProvidedName = "faceblur-tests-admin",
        };
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            return await factory.CreateConnectionAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            Assert.Fail(
                $"RabbitMQ is not reachable at {factory.HostName}:{factory.Port} (RABBITMQ_TEST_URL or the default " +
                $"amqp://guest:guest@127.0.0.1:5672/). Start the broker (e.g. `service rabbitmq-server start`); the " +
                $"RabbitMQ tests do not skip. Error: {ex.GetBaseException().Message}");
            throw; // not reached
        }
    }

    public static async Task DeleteQueuesAsync(IConnection admin, string queueName)
    {
        await using var channel = await admin.CreateChannelAsync();
        await channel.QueueDeleteAsync(queueName, ifUnused: false, ifEmpty: false);
        await channel.QueueDeleteAsync(queueName + ".dead", ifUnused: false, ifEmpty: false);
    }
}

internal static class TestMessages
{
    public static JobMessage Create(int index = 0) => new(
        TaskId: $"task-{index}-{Guid.NewGuid():N}",
        Kind: index % 2 == 0 ? JobKind.Video : JobKind.Images,
        Inputs:
        [
            new JobInput($"uploads/{index}/a.mp4", "a.mp4"),
            new JobInput($"uploads/{index}/b é.jpg", "b é.jpg"),
        ],
        Options: new AnonymizeOptions { Mode = AnonymizationMode.Pixelate, Shape = MaskShape.Rect, Padding = 0.35f, Strength = 80 },
        EnqueuedAt: new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(2)));
}

/// <summary>Collects log lines so a failing test can show them.</summary>
internal sealed class TestLogger<T> : ILogger<T>
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(
        LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var line = $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel}: {formatter(state, exception)}";
        if (exception is not null)
        {
            line += $" [{exception.GetType().Name}: {exception.Message}]";
        }

        Lines.Enqueue(line);
    }
}

/// <summary>
/// What a queue test fixture sets up and tears down: the broker admin connection (per fixture, RabbitMQ fixtures only),
/// a new queue name and log per test, and what a test started or opened, stopped or disposed after it (newest first)
/// before its queues are deleted. The log is printed when the test did not pass.
/// </summary>
internal sealed class QueueTestScope
{
    private readonly List<IAsyncDisposable> _owned = [];
    private IConnection? _admin;

    /// <summary>The admin connection (after <see cref="ConnectAdminAsync"/>).</summary>
    public IConnection Admin => _admin ?? throw new InvalidOperationException("The admin connection is not open.");

    public string QueueName { get; private set; } = "";

    public TestLogger<RabbitMqJobQueue> Log { get; private set; } = new();

    /// <summary>For [OneTimeSetUp]: fails the fixture with a clear message when the broker is down.</summary>
    public async Task ConnectAdminAsync() => _admin = await TestBroker.ConnectOrFailAsync();

    /// <summary>For [OneTimeTearDown].</summary>
    public async Task DisconnectAdminAsync()
    {
        if (_admin is not null)
        {
            await _admin.CloseAsync();
            _admin.Dispose();
            _admin = null;
        }
    }

    /// <summary>For [SetUp].</summary>
    public void BeginTest()
    {
        QueueName = TestBroker.NewQueueName();
        Log = new TestLogger<RabbitMqJobQueue>();
    }

    /// <summary>For [TearDown].</summary>
    public async Task EndTestAsync()
    {
        var owned = _owned.ToArray();
        _owned.Clear();
        for (var i = owned.Length - 1; i >= 0; i--)
        {
            await owned[i].DisposeAsync();
        }

        if (_admin is not null)
        {
            await TestBroker.DeleteQueuesAsync(_admin, QueueName);
        }

        if (TestContext.CurrentContext.Result.Outcome.Status != NUnit.Framework.Interfaces.TestStatus.Passed)
        {
            foreach (var line in Log.Lines)
            {
                await TestContext.Out.WriteLineAsync(line);
            }
        }
    }

    /// <summary>Disposed (stopped) after the test, before what was owned earlier.</summary>
    public T Own<T>(T disposable)
        where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    /// <summary>A RabbitMQ queue named <see cref="QueueName"/>, logging to <see cref="Log"/>, disposed after the test.</summary>
    public RabbitMqJobQueue CreateRabbitMqQueue(string url, int deliveryLimit = 3, TimeProvider? time = null) =>
        Own(new RabbitMqJobQueue(new RabbitMqQueueOptions(url, QueueName, deliveryLimit), time ?? TimeProvider.System, Log));

    /// <summary>Starts consuming; stopped after the test.</summary>
    public ConsumerRun Consume(
        IJobQueue queue,
        int prefetch,
        Func<JobDelivery, CancellationToken, Task> handler,
        Func<JobMessage, int, CancellationToken, Task>? onDeadLetter = null) =>
        Own(ConsumerRun.Start(queue, prefetch, handler, onDeadLetter));
}

/// <summary>A ConsumeAsync call running in the background.</summary>
internal sealed class ConsumerRun : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    private ConsumerRun(
        IJobQueue queue,
        int prefetch,
        Func<JobDelivery, CancellationToken, Task> handler,
        Func<JobMessage, int, CancellationToken, Task> onDeadLetter)
    {
        Task = Task.Run(() => queue.ConsumeAsync(prefetch, handler, onDeadLetter, _stop.Token));
    }

    public Task Task { get; }

    public static ConsumerRun Start(
        IJobQueue queue,
        int prefetch,
        Func<JobDelivery, CancellationToken, Task> handler,
        Func<JobMessage, int, CancellationToken, Task>? onDeadLetter = null) =>
        new(queue, prefetch, handler, onDeadLetter ?? ((_, _, _) => Task.CompletedTask));

    /// <summary>Cancels and waits (a few seconds at most) for ConsumeAsync to return.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}

internal static class Wait
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeout);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(25);
        }
    }

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);
}
