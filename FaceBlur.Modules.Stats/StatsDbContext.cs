using Microsoft.EntityFrameworkCore;

namespace FaceBlur.Modules.Stats;

/// <summary>The stats database: one row of counters, changed only by atomic SQL increments.</summary>
public sealed class StatsDbContext(DbContextOptions<StatsDbContext> options) : DbContext(options)
{
    public DbSet<StatsCounters> Counters => Set<StatsCounters>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var counters = modelBuilder.Entity<StatsCounters>();
        counters.ToTable("counters");
        counters.HasKey(c => c.Id);
        counters.Property(c => c.Id).HasColumnName("id").ValueGeneratedNever();
        counters.Property(c => c.TotalRequests).HasColumnName("total_requests");
        counters.Property(c => c.TotalTasks).HasColumnName("total_tasks");
        counters.Property(c => c.TotalImages).HasColumnName("total_images");
        counters.Property(c => c.TotalVideos).HasColumnName("total_videos");
        counters.Property(c => c.TotalVideoSeconds).HasColumnName("total_video_seconds");
        counters.Property(c => c.TotalFaces).HasColumnName("total_faces");
        counters.Property(c => c.TotalVisitors).HasColumnName("total_visitors");
        counters.HasData(new StatsCounters { Id = StatsCounters.SingletonId });
    }
}

/// <summary>The counters of SPEC's <c>/stats</c>, in the single row with id 1.</summary>
public sealed class StatsCounters
{
    public const int SingletonId = 1;

    public int Id { get; set; }

    public long TotalRequests { get; set; }

    public long TotalTasks { get; set; }

    public long TotalImages { get; set; }

    public long TotalVideos { get; set; }

    public double TotalVideoSeconds { get; set; }

    public long TotalFaces { get; set; }

    public long TotalVisitors { get; set; }
}
