using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace FaceBlur.Tests.Jobs;

public enum StoreKind
{
    InMemory,
    Redis,
}

/// <summary>The <see cref="IJobStore"/> contract, run against every implementation (Redis: a real server).</summary>
[TestFixture(StoreKind.InMemory, Category = TestCategory.Unit)]
[TestFixture(StoreKind.Redis, Category = TestCategory.Integration)]
[NonParallelizable]
public sealed class JobStoreContractTests(StoreKind kind)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(10);

    // Not a whole millisecond, with an offset: the stores must keep timestamps exactly.
    private static readonly DateTimeOffset Start = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(6_789_012);

    private ConnectionMultiplexer? _redis;
    private string _prefix = "";
    private FakeTimeProvider _clock = null!;
    private IJobStore _store = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync()
    {
        if (kind == StoreKind.Redis)
        {
            _redis = await RedisTestServer.ConnectAsync();
        }
    }

    [OneTimeTearDown]
    public async Task DisconnectAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    [SetUp]
    public void SetUp()
    {
        _prefix = RedisTestServer.UniquePrefix();
        _clock = new FakeTimeProvider(Start);
        _store = CreateStore(Ttl);
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        if (_redis is not null)
        {
            await RedisTestServer.DeleteKeysAsync(_redis, _prefix);
        }
    }

    [Test]
    public async Task Create_then_get_round_trips_every_field()
    {
        var state = new JobState
        {
            TaskId = NewId(),
            Kind = JobKind.Video,
            Status = JobStatus.Succeeded,
            Stage = JobStages.Encoding,
            Progress = 0.123456789012345,
            Files = 3,
            FacesDetected = 7,
            Error = "näive, \"quoted\"\nsecond line",
            ResultPath = "results/abc.mp4",
            ResultContentType = "video/mp4",
            ResultFileName = "holiday_blurred.mp4",
            Served = true,
            Attempts = 2,
            CreatedAt = Start.ToOffset(TimeSpan.FromHours(2)),
            UpdatedAt = Start.AddSeconds(1.5),
            StartedAt = Start.AddTicks(1),
            CompletedAt = Start.AddMinutes(1).ToOffset(TimeSpan.FromHours(-5)),
            DeliveredAt = Start.AddMinutes(2),
        };

        await _store.CreateAsync(state, default);
        var read = await _store.GetAsync(state.TaskId, default);

        read.Should().Be(state);
        read!.CreatedAt.Offset.Should().Be(TimeSpan.FromHours(2));
        read.CompletedAt!.Value.Offset.Should().Be(TimeSpan.FromHours(-5));
    }

    [Test]
    public async Task Create_then_get_round_trips_nulls_and_defaults()
    {
        var state = new JobState { TaskId = NewId(), Kind = JobKind.Images, CreatedAt = Start, UpdatedAt = Start };

        await _store.CreateAsync(state, default);
        var read = await _store.GetAsync(state.TaskId, default);

        read.Should().Be(state);
        read!.Status.Should().Be(JobStatus.Queued);
        read.Stage.Should().BeNull();
        read.FacesDetected.Should().BeNull();
        read.Error.Should().BeNull();
        read.ResultPath.Should().BeNull();
        read.ResultContentType.Should().BeNull();
        read.ResultFileName.Should().BeNull();
        read.StartedAt.Should().BeNull();
        read.CompletedAt.Should().BeNull();
        read.Served.Should().BeFalse();
        read.Attempts.Should().Be(0);
    }

    [Test]
    public async Task Create_fills_missing_timestamps_with_now()
    {
        var id = NewId();

        await _store.CreateAsync(new JobState { TaskId = id, Kind = JobKind.Images }, default);

        var read = await _store.GetAsync(id, default);
        read!.CreatedAt.Should().Be(Start);
        read.UpdatedAt.Should().Be(Start);
    }

    [Test]
    public async Task Unknown_id_is_null_everywhere_and_writes_to_it_are_ignored()
    {
        var id = NewId();

        (await _store.GetAsync(id, default)).Should().BeNull();
        (await _store.GetQueuePositionAsync(id, default)).Should().BeNull();
        (await _store.TryStartAsync(id, default)).Should().BeNull();
        await _store.UpdateProgressAsync(id, JobStages.Encoding, 0.5, default);
        await _store.CompleteAsync(id, NewResult(), default);
        await _store.FailAsync(id, "nope", default);
        (await _store.TryMarkServedAsync(id, default)).Should().BeFalse();

        (await _store.GetAsync(id, default)).Should().BeNull();
        (await _store.CountProcessingAsync(default)).Should().Be(0);
    }

    [Test]
    public async Task Queue_positions_follow_creation_order_and_move_up_when_a_job_starts()
    {
        // All three at the same instant: the creation order alone decides.
        var first = await CreateQueuedAsync();
        var second = await CreateQueuedAsync();
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var third = await CreateQueuedAsync();

        (await PositionsAsync(first, second, third)).Should().Equal(1, 2, 3);

        await _store.TryStartAsync(first, default);
        (await PositionsAsync(first, second, third)).Should().Equal(null, 1, 2);

        await _store.FailAsync(second, "cancelled", default);
        (await PositionsAsync(first, second, third)).Should().Equal(null, null, 1);

        await _store.TryStartAsync(third, default);
        await _store.CompleteAsync(third, NewResult(), default);
        (await PositionsAsync(first, second, third)).Should().OnlyContain(position => position == null);
    }

    [Test]
    public async Task Queue_order_is_by_creation_time()
    {
        var late = NewId();
        var early = NewId();
        await _store.CreateAsync(NewQueued(late) with { CreatedAt = Start.AddSeconds(5) }, default);
        await _store.CreateAsync(NewQueued(early) with { CreatedAt = Start.AddSeconds(1) }, default);

        (await PositionsAsync(early, late)).Should().Equal(1, 2);
    }

    [Test]
    public async Task TryStart_moves_a_queued_job_to_processing()
    {
        var id = await CreateQueuedAsync();
        _clock.Advance(TimeSpan.FromSeconds(3));

        var started = await _store.TryStartAsync(id, default);

        started.Should().NotBeNull();
        started!.Status.Should().Be(JobStatus.Processing);
        started.Stage.Should().Be(JobStages.Detecting);
        started.Progress.Should().Be(0);
        started.Attempts.Should().Be(1);
        started.StartedAt.Should().Be(Start.AddSeconds(3));
        started.UpdatedAt.Should().Be(Start.AddSeconds(3));
        started.CreatedAt.Should().Be(Start);
        started.TaskId.Should().Be(id);
        (await _store.GetAsync(id, default)).Should().Be(started);
    }

    [Test]
    public async Task TryStart_again_while_processing_restarts_the_job_with_one_more_attempt()
    {
        var id = await CreateQueuedAsync();
        await _store.TryStartAsync(id, default);
        await _store.UpdateProgressAsync(id, JobStages.Encoding, 0.7, default);
        _clock.Advance(TimeSpan.FromMinutes(1));

        var restarted = await _store.TryStartAsync(id, default);

        restarted!.Status.Should().Be(JobStatus.Processing);
        restarted.Attempts.Should().Be(2);
        restarted.Stage.Should().Be(JobStages.Detecting);
        restarted.Progress.Should().Be(0);
        restarted.StartedAt.Should().Be(Start.AddMinutes(1));
        (await _store.CountProcessingAsync(default)).Should().Be(1);
    }

    [Test]
    public async Task TryStart_of_a_terminal_job_returns_null_and_changes_nothing()
    {
        var succeeded = await CreateQueuedAsync();
        await _store.TryStartAsync(succeeded, default);
        await _store.CompleteAsync(succeeded, NewResult(), default);
        var failed = await CreateQueuedAsync();
        await _store.FailAsync(failed, "broken upload", default);
        var succeededBefore = await _store.GetAsync(succeeded, default);
        var failedBefore = await _store.GetAsync(failed, default);
        _clock.Advance(TimeSpan.FromSeconds(1));

        (await _store.TryStartAsync(succeeded, default)).Should().BeNull();
        (await _store.TryStartAsync(failed, default)).Should().BeNull();

        (await _store.GetAsync(succeeded, default)).Should().Be(succeededBefore);
        (await _store.GetAsync(failed, default)).Should().Be(failedBefore);
        (await _store.CountProcessingAsync(default)).Should().Be(0);
    }

    [Test]
    public async Task UpdateProgress_sets_stage_and_progress_of_a_processing_job()
    {
        var id = await CreateQueuedAsync();
        await _store.TryStartAsync(id, default);
        _clock.Advance(TimeSpan.FromSeconds(2));

        await _store.UpdateProgressAsync(id, JobStages.Detecting, 0.25, default);
        var afterFirst = await _store.GetAsync(id, default);
        await _store.UpdateProgressAsync(id, JobStages.Encoding, 0.875, default);
        var afterSecond = await _store.GetAsync(id, default);

        afterFirst!.Stage.Should().Be(JobStages.Detecting);
        afterFirst.Progress.Should().Be(0.25);
        afterFirst.UpdatedAt.Should().Be(Start.AddSeconds(2));
        afterSecond!.Stage.Should().Be(JobStages.Encoding);
        afterSecond.Progress.Should().Be(0.875);
        afterSecond.Status.Should().Be(JobStatus.Processing);
    }

    [Test]
    public async Task UpdateProgress_clamps_to_0_1()
    {
        var id = await CreateQueuedAsync();
        await _store.TryStartAsync(id, default);

        await _store.UpdateProgressAsync(id, JobStages.Encoding, 1.5, default);
        (await _store.GetAsync(id, default))!.Progress.Should().Be(1);

        await _store.UpdateProgressAsync(id, JobStages.Encoding, -0.5, default);
        (await _store.GetAsync(id, default))!.Progress.Should().Be(0);
    }

    [Test]
    public async Task UpdateProgress_is_ignored_unless_processing()
    {
        var queued = await CreateQueuedAsync();
        var done = await CreateQueuedAsync();
        await _store.TryStartAsync(done, default);
        await _store.CompleteAsync(done, NewResult(), default);
        var queuedBefore = await _store.GetAsync(queued, default);
        var doneBefore = await _store.GetAsync(done, default);

        await _store.UpdateProgressAsync(queued, JobStages.Encoding, 0.5, default);
        await _store.UpdateProgressAsync(done, JobStages.Encoding, 0.5, default);

        (await _store.GetAsync(queued, default)).Should().Be(queuedBefore);
        (await _store.GetAsync(done, default)).Should().Be(doneBefore);
    }

    [Test]
    public async Task Complete_records_the_result()
    {
        var id = await CreateQueuedAsync();
        await _store.TryStartAsync(id, default);
        await _store.UpdateProgressAsync(id, JobStages.Encoding, 0.5, default);
        _clock.Advance(TimeSpan.FromSeconds(9));
        var result = NewResult();

        await _store.CompleteAsync(id, result, default);

        var read = await _store.GetAsync(id, default);
        read!.Status.Should().Be(JobStatus.Succeeded);
        read.IsTerminal.Should().BeTrue();
        read.Progress.Should().Be(1);
        read.Stage.Should().BeNull();
        read.ResultPath.Should().Be(result.ResultPath);
        read.ResultContentType.Should().Be(result.ContentType);
        read.ResultFileName.Should().Be(result.FileName);
        read.FacesDetected.Should().Be(result.FacesDetected);
        read.CompletedAt.Should().Be(Start.AddSeconds(9));
        read.UpdatedAt.Should().Be(Start.AddSeconds(9));
        read.Served.Should().BeFalse();
        read.Error.Should().BeNull();
        (await _store.CountProcessingAsync(default)).Should().Be(0);
    }

    [Test]
    public async Task Fail_records_the_reason()
    {
        var id = await CreateQueuedAsync();
        await _store.TryStartAsync(id, default);
        await _store.UpdateProgressAsync(id, JobStages.Encoding, 0.5, default);
        _clock.Advance(TimeSpan.FromSeconds(4));

        await _store.FailAsync(id, "The video could not be decoded.", default);

        var read = await _store.GetAsync(id, default);
        read!.Status.Should().Be(JobStatus.Failed);
        read.IsTerminal.Should().BeTrue();
        read.Error.Should().Be("The video could not be decoded.");
        read.Stage.Should().BeNull();
        read.CompletedAt.Should().Be(Start.AddSeconds(4));
        read.UpdatedAt.Should().Be(Start.AddSeconds(4));
        read.ResultPath.Should().BeNull();
        (await _store.CountProcessingAsync(default)).Should().Be(0);
    }

    [Test]
    public async Task Complete_and_fail_are_ignored_once_terminal()
    {
        var succeeded = await CreateQueuedAsync();
        await _store.TryStartAsync(succeeded, default);
        await _store.CompleteAsync(succeeded, NewResult(), default);
        var failed = await CreateQueuedAsync();
        await _store.TryStartAsync(failed, default);
        await _store.FailAsync(failed, "first reason", default);
        var succeededBefore = await _store.GetAsync(succeeded, default);
        var failedBefore = await _store.GetAsync(failed, default);
        _clock.Advance(TimeSpan.FromSeconds(1));

        await _store.FailAsync(succeeded, "too late", default);
        await _store.CompleteAsync(succeeded, new JobResult("other", "image/png", "other.png", 1), default);
        await _store.CompleteAsync(failed, NewResult(), default);
        await _store.FailAsync(failed, "second reason", default);

        (await _store.GetAsync(succeeded, default)).Should().Be(succeededBefore);
        (await _store.GetAsync(failed, default)).Should().Be(failedBefore);
    }

    [Test]
    public async Task TryMarkServed_is_true_once_and_only_for_a_succeeded_job()
    {
        var id = await CreateQueuedAsync();
        (await _store.TryMarkServedAsync(id, default)).Should().BeFalse("queued");
        await _store.TryStartAsync(id, default);
        (await _store.TryMarkServedAsync(id, default)).Should().BeFalse("processing");
        var failed = await CreateQueuedAsync();
        await _store.FailAsync(failed, "bad", default);
        (await _store.TryMarkServedAsync(failed, default)).Should().BeFalse("failed");

        await _store.CompleteAsync(id, NewResult(), default);
        (await _store.GetAsync(id, default))!.Served.Should().BeFalse();

        (await _store.TryMarkServedAsync(id, default)).Should().BeTrue();
        (await _store.TryMarkServedAsync(id, default)).Should().BeFalse();
        var read = await _store.GetAsync(id, default);
        read!.Served.Should().BeTrue();
        read.Status.Should().Be(JobStatus.Succeeded);
    }

    [Test]
    public async Task ReleaseServed_lets_an_interrupted_download_be_served_again_and_nothing_else()
    {
        var queued = await CreateQueuedAsync();
        await _store.ReleaseServedAsync(queued, default);
        (await _store.GetAsync(queued, default))!.Status.Should().Be(JobStatus.Queued);
        await _store.ReleaseServedAsync(new string('f', 32), default);

        var id = await CreateQueuedAsync();
        await _store.TryStartAsync(id, default);
        await _store.CompleteAsync(id, NewResult(), default);
        (await _store.TryMarkServedAsync(id, default)).Should().BeTrue();

        await _store.ReleaseServedAsync(id, default);

        var read = await _store.GetAsync(id, default);
        read!.Served.Should().BeFalse();
        read.Status.Should().Be(JobStatus.Succeeded);
        (await _store.TryMarkServedAsync(id, default)).Should().BeTrue("the result can be fetched again");
        (await _store.TryMarkServedAsync(id, default)).Should().BeFalse();
    }

    [Test]
    public async Task MarkDelivered_records_the_first_delivery_which_no_release_undoes()
    {
        var queued = await CreateQueuedAsync();
        (await _store.MarkDeliveredAsync(queued, default)).Should().BeFalse("not succeeded");
        (await _store.MarkDeliveredAsync(new string('f', 32), default)).Should().BeFalse("unknown");

        var id = await CreateQueuedAsync();
        await _store.TryStartAsync(id, default);
        await _store.CompleteAsync(id, NewResult(), default);
        (await _store.TryMarkServedAsync(id, default)).Should().BeTrue();
        await ElapseAsync(TimeSpan.FromSeconds(3));

        (await _store.MarkDeliveredAsync(id, default)).Should().BeTrue();
        (await _store.MarkDeliveredAsync(id, default)).Should().BeFalse("delivered once already");
        await _store.ReleaseServedAsync(id, default);

        var read = await _store.GetAsync(id, default);
        read!.Served.Should().BeTrue("a delivered result is not released by a download that broke off");
        read.DeliveredAt.Should().Be(_clock.GetUtcNow());
        (await _store.TryMarkServedAsync(id, default)).Should().BeFalse();

        // A resumed download may deliver a result nobody claimed.
        var unclaimed = await CreateQueuedAsync();
        await _store.TryStartAsync(unclaimed, default);
        await _store.CompleteAsync(unclaimed, NewResult(), default);
        (await _store.MarkDeliveredAsync(unclaimed, default)).Should().BeTrue();
        (await _store.GetAsync(unclaimed, default))!.Served.Should().BeTrue();
    }

    [Test]
    public async Task TryMarkServed_is_true_for_exactly_one_of_50_concurrent_callers()
    {
        var id = await CreateQueuedAsync();
        await _store.TryStartAsync(id, default);
        await _store.CompleteAsync(id, NewResult(), default);

        using var gate = new ManualResetEventSlim();
        var callers = Enumerable.Range(0, 50)
            .Select(_ => Task.Run(async () =>
            {
                gate.Wait();
                return await _store.TryMarkServedAsync(id, default);
            }))
            .ToArray();
        gate.Set();
        var results = await Task.WhenAll(callers);

        results.Count(served => served).Should().Be(1);
        (await _store.GetAsync(id, default))!.Served.Should().BeTrue();
    }

    [Test]
    public async Task CountProcessing_counts_the_jobs_processing_now()
    {
        var a = await CreateQueuedAsync();
        var b = await CreateQueuedAsync();
        await CreateQueuedAsync();
        (await _store.CountProcessingAsync(default)).Should().Be(0);

        await _store.TryStartAsync(a, default);
        await _store.TryStartAsync(b, default);
        await _store.UpdateProgressAsync(b, JobStages.Encoding, 0.5, default);
        (await _store.CountProcessingAsync(default)).Should().Be(2);

        await _store.CompleteAsync(a, NewResult(), default);
        (await _store.CountProcessingAsync(default)).Should().Be(1);

        await _store.FailAsync(b, "crashed", default);
        (await _store.CountProcessingAsync(default)).Should().Be(0);
    }

    [Test]
    public async Task Create_with_status_processing_counts_as_processing()
    {
        var id = NewId();
        await _store.CreateAsync(NewQueued(id) with { Status = JobStatus.Processing, StartedAt = Start }, default);

        (await _store.CountProcessingAsync(default)).Should().Be(1);
        (await _store.GetQueuePositionAsync(id, default)).Should().BeNull();
    }

    [Test]
    public async Task Jobs_expire_ttl_after_their_last_change()
    {
        // Redis keeps the expiry on its own clock: use a short TTL and wait for real, besides moving the test clock.
        var ttl = TimeSpan.FromSeconds(1);
        var store = CreateStore(ttl);
        var idle = NewId();
        var busy = NewId();
        await store.CreateAsync(NewQueued(idle), default);
        await store.CreateAsync(NewQueued(busy), default);
        await store.TryStartAsync(busy, default);

        await ElapseAsync(TimeSpan.FromMilliseconds(600));
        await store.UpdateProgressAsync(busy, JobStages.Encoding, 0.5, default);
        await ElapseAsync(TimeSpan.FromMilliseconds(600));

        // idle: 1.2 s since its last change, gone everywhere; busy: 0.6 s since its progress update, still there.
        (await store.GetAsync(idle, default)).Should().BeNull();
        (await store.GetQueuePositionAsync(idle, default)).Should().BeNull();
        (await store.TryStartAsync(idle, default)).Should().BeNull();
        (await store.TryMarkServedAsync(idle, default)).Should().BeFalse();
        (await store.GetAsync(busy, default))!.Progress.Should().Be(0.5);
        (await store.CountProcessingAsync(default)).Should().Be(1);
        var late = NewId();
        await store.CreateAsync(NewQueued(late) with { CreatedAt = _clock.GetUtcNow() }, default);
        (await store.GetQueuePositionAsync(late, default)).Should().Be(1, "an expired job no longer holds a place");

        await ElapseAsync(TimeSpan.FromMilliseconds(600));

        (await store.GetAsync(busy, default)).Should().BeNull();
        (await store.CountProcessingAsync(default)).Should().Be(0);
        await store.CompleteAsync(busy, NewResult(), default);
        (await store.GetAsync(busy, default)).Should().BeNull("a write to an expired job does not bring it back");

        await store.PurgeExpiredAsync(default);

        (await store.GetAsync(idle, default)).Should().BeNull();
        (await store.GetAsync(late, default)).Should().NotBeNull();
        (await store.GetQueuePositionAsync(late, default)).Should().Be(1);
        (await store.CountProcessingAsync(default)).Should().Be(0);
    }

    [Test]
    public async Task Purge_keeps_live_jobs()
    {
        var queued = await CreateQueuedAsync();
        var running = await CreateQueuedAsync();
        await _store.TryStartAsync(running, default);
        _clock.Advance(Ttl / 2);

        await _store.PurgeExpiredAsync(default);

        (await _store.GetQueuePositionAsync(queued, default)).Should().Be(1);
        (await _store.CountProcessingAsync(default)).Should().Be(1);
        (await _store.GetAsync(running, default))!.Status.Should().Be(JobStatus.Processing);
    }

    [Test]
    public async Task Ping_is_true_when_the_store_answers()
    {
        (await _store.IsHealthyAsync(default)).Should().BeTrue();
    }

    [Test]
    public async Task A_cancelled_token_cancels_before_touching_the_store()
    {
        var id = await CreateQueuedAsync();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await FluentActions.Awaiting(() => _store.GetAsync(id, cts.Token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(() => _store.TryStartAsync(id, cts.Token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(() => _store.CreateAsync(NewQueued(NewId()), cts.Token))
            .Should().ThrowAsync<OperationCanceledException>();

        (await _store.GetAsync(id, default))!.Status.Should().Be(JobStatus.Queued);
    }

    private IJobStore CreateStore(TimeSpan ttl) => kind switch
    {
        StoreKind.InMemory => new InMemoryJobStore(ttl, _clock),
        StoreKind.Redis => new RedisJobStore(_redis!, ttl, _clock, _prefix),
        _ => throw new ArgumentOutOfRangeException(nameof(ttl)),
    };

    /// <summary>Moves the test clock, and for Redis (whose expiry runs on its own clock) also waits for real.</summary>
    private async Task ElapseAsync(TimeSpan time)
    {
        if (kind == StoreKind.Redis)
        {
            await Task.Delay(time);
        }

        _clock.Advance(time);
    }

    private static string NewId() => Guid.NewGuid().ToString("N");

    private JobState NewQueued(string id) =>
        new() { TaskId = id, Kind = JobKind.Images, Files = 1, CreatedAt = _clock.GetUtcNow(), UpdatedAt = _clock.GetUtcNow() };

    private static JobResult NewResult() => new("results/out.zip", "application/zip", "photos_blurred.zip", 4);

    private async Task<string> CreateQueuedAsync()
    {
        var id = NewId();
        await _store.CreateAsync(NewQueued(id), default);
        return id;
    }

    private async Task<int?[]> PositionsAsync(params string[] ids)
    {
        var positions = new int?[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            positions[i] = await _store.GetQueuePositionAsync(ids[i], default);
        }

        return positions;
    }
}
