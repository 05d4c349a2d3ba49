using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Tests.Support;
using FaceBlur.Web.Cleanup;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace FaceBlur.Tests.Api;

[Unit]
public class CleanupTests
{
    [Test]
    public async Task A_sweep_removes_expired_files_and_job_state_and_keeps_the_rest()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var factory = new FaceBlurFactory(
            new Dictionary<string, string?> { ["STORAGE_TTL_MINUTES"] = "60" },
            services => services.AddSingleton<TimeProvider>(clock));
        using var client = factory.CreateClient();
        var store = factory.Services.GetRequiredService<IJobStore>();
        var cleanup = factory.Services.GetRequiredService<CleanupService>();

        await store.CreateAsync(new JobState { TaskId = new string('1', 32), Kind = JobKind.Images, Files = 1, CreatedAt = clock.GetUtcNow(), UpdatedAt = clock.GetUtcNow() }, CancellationToken.None);
        var old = Path.Combine(factory.JobsDir, new string('1', 32));
        var fresh = Path.Combine(factory.JobsDir, new string('2', 32));
        Directory.CreateDirectory(old);
        Directory.CreateDirectory(fresh);
        await File.WriteAllTextAsync(Path.Combine(old, "input-00.upload"), "x");
        await File.WriteAllTextAsync(Path.Combine(fresh, "input-00.upload"), "x");
        var statsDb = Path.Combine(factory.StorageDir, "stats.db");
        await File.WriteAllTextAsync(statsDb, "not a job");
        var longAgo = DateTime.UtcNow.AddHours(-2);
        File.SetLastWriteTimeUtc(Path.Combine(old, "input-00.upload"), longAgo);
        Directory.SetLastWriteTimeUtc(old, longAgo);
        File.SetLastWriteTimeUtc(statsDb, longAgo);

        var deleted = await cleanup.SweepAsync(CancellationToken.None);

        deleted.Should().Be(1);
        Directory.Exists(old).Should().BeFalse();
        Directory.Exists(fresh).Should().BeTrue("a recent job is kept");
        File.Exists(statsDb).Should().BeTrue("only STORAGE_DIR/jobs is swept");
        (await store.GetAsync(new string('1', 32), CancellationToken.None)).Should().NotBeNull("its state has not expired yet");

        // An hour later the state has expired too, and so has the once-fresh directory.
        clock.Advance(TimeSpan.FromMinutes(61));
        (await cleanup.SweepAsync(CancellationToken.None)).Should().Be(1);
        Directory.Exists(fresh).Should().BeFalse();
        (await store.GetAsync(new string('1', 32), CancellationToken.None)).Should().BeNull("job state expires with its files");
    }
}
