using System.Reflection;
using FaceBlur.Modules.Processing;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Modules.Processing.Video;
using FaceBlur.Modules.Stats;
using FaceBlur.Tests.Support;
using FaceBlur.Web.Api;
using FaceBlur.Web.Cleanup;
using FaceBlur.Web.Monitoring;
using FaceBlur.Web.Upload;
using Microsoft.Extensions.Configuration;

namespace FaceBlur.Tests;

/// <summary>appsettings.json holds every setting with its default: the same values the options classes default to.</summary>
[Unit]
public class SettingsTests
{
    private static IConfiguration AppSettings() =>
        new ConfigurationBuilder().AddJsonFile(Path.Combine(TestPaths.RepoRoot, "appsettings.json"), optional: false).Build();

    public static IEnumerable<Type> OptionsTypes() =>
    [
        typeof(DetectorOptions), typeof(ProcessingOptions), typeof(JobsOptions), typeof(UploadOptions), typeof(VideoOptions),
        typeof(RateLimiting.RateLimitOptions), typeof(CleanupOptions), typeof(Cors.CorsOptions), typeof(StatsOptions),
        typeof(MetricsToken.MetricsOptions),
    ];

    [TestCaseSource(nameof(OptionsTypes))]
    public void Every_setting_is_in_appsettings_json_with_the_code_default(Type optionsType)
    {
        var config = AppSettings();
        var defaults = Activator.CreateInstance(optionsType)!;
        foreach (var property in optionsType.GetProperties().Where(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>() is not null))
        {
            var key = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()!.Name;
            config[key].Should().NotBeNull($"{key} must be in appsettings.json");
            var bound = Activator.CreateInstance(optionsType)!;
            new ConfigurationBuilder().AddInMemoryCollection([new(key, config[key])]).Build().Bind(bound);
            property.GetValue(bound).Should().Be(property.GetValue(defaults), $"appsettings.json's {key} must equal the code default");
        }
    }
}
