using FaceBlur.Modules.Processing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FaceBlur.Cli;

/// <summary>
/// The processing core as the service has it, without HTTP or jobs: <c>appsettings.json</c> beside the tool holds every
/// setting's default and the environment overrides it (DETECTOR_*, VIDEO_*, MAX_IMAGE_MEGAPIXELS, MAX_VIDEO_SECONDS under
/// the service's names). Relative paths in settings (the models) are resolved against the tool's directory.
/// </summary>
internal static class CliHost
{
    /// <summary>
    /// Builds and starts the host: settings are validated and the detectors loaded now, so that a bad setting or a
    /// missing model is one line before any file is touched (<see cref="StartupError"/>, as the service says it). Throws
    /// <see cref="SettingsException"/> for those.
    /// </summary>
    public static async Task<IHost> StartAsync(bool verbose, CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "faceblur",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration
            .AddJsonFile(new PhysicalFileProvider(AppContext.BaseDirectory), "appsettings.json", optional: true, reloadOnChange: false)
            .AddEnvironmentVariables();
        // Logs (the pipeline's warnings, with --verbose its progress notes) go to stderr, away from the report.
        builder.Logging
            .SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning)
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddFilter("Microsoft", LogLevel.Warning)
            // A failed start is reported in one line naming the setting (RunCommand), not as the host's error with a stack trace.
            .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddSingleton<IHostLifetime, CommandLineLifetime>();
        builder.Services.AddProcessingCore(builder.Configuration);

        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
            return host;
        }
        catch (Exception e) when (StartupError.Describe(e) is { } line)
        {
            host.Dispose();
            throw new SettingsException(line);
        }
    }

    /// <summary>The command line handles Ctrl+C and SIGTERM itself (<see cref="InterruptSignals"/>); the host must not swallow them.</summary>
    private sealed class CommandLineLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Settings that cannot be used: the message is one line naming the setting.</summary>
internal sealed class SettingsException(string message) : Exception(message);
