using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FaceBlur.Tests.Api;

namespace FaceBlur.Tests.Jobs;

/// <summary>
/// A redis-server of the test's own on a free loopback port, for faults the shared Redis must not suffer: killed and
/// started again on the same port, paused (SIGSTOP) so that it holds connections but answers nothing, or (when started
/// persistent) stopped cleanly and started again with its data, as an operator restarting Redis would.
/// </summary>
internal sealed class OwnRedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly string? _dataDir;
    private Process? _process;
    private bool _paused;

    private OwnRedisServer(int port, string? dataDir)
    {
        Port = port;
        _dataDir = dataDir;
    }

    public int Port { get; }

    /// <summary>A StackExchange.Redis connection string for it.</summary>
    public string Url => $"127.0.0.1:{Port}";

    /// <summary>Starts a server; a <paramref name="persistent"/> one writes its data to disk when stopped cleanly.</summary>
    public static async Task<OwnRedisServer> StartAsync(bool persistent = false)
    {
        var dataDir = persistent ? Directory.CreateTempSubdirectory("faceblur-redis-").FullName : null;
        var server = new OwnRedisServer(FaultTests.FreePort(), dataDir);
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts redis-server (again) and waits until it listens.</summary>
    public async Task RestartAsync()
    {
        Kill();
        var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true };
        var persistence = _dataDir is null ? new[] { "--save", "" } : ["--dir", _dataDir, "--save", "3600 1"];
        foreach (var arg in new[] { "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--appendonly", "no" }.Concat(persistence))
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Wait.UntilAsync(ListensAsync, $"redis-server listens on {Port}", StartTimeout);
    }

    /// <summary>Kills the server (like a crash); <see cref="RestartAsync"/> brings it back.</summary>
    public void Kill()
    {
        if (_process is null)
        {
            return;
        }

        Resume();
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000).Should().BeTrue("the process stops when killed");
        }

        _process.Dispose();
        _process = null;
    }

    /// <summary>Stops the server cleanly (SIGTERM: a persistent one saves its data first); <see cref="RestartAsync"/> brings it back.</summary>
    public void Stop()
    {
        if (_process is null)
        {
            return;
        }

        Resume();
        Signal("TERM");
        _process.WaitForExit(30_000).Should().BeTrue("redis-server stops on SIGTERM");
        _process.Dispose();
        _process = null;
    }

    /// <summary>Stops the process (SIGSTOP): connections stay open, commands get no answer.</summary>
    public void Pause()
    {
        Signal("STOP");
        _paused = true;
    }

    /// <summary>Lets a paused process go on (SIGCONT).</summary>
    public void Resume()
    {
        if (_paused)
        {
            Signal("CONT");
            _paused = false;
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        if (_dataDir is not null && Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    private void Signal(string signal)
    {
        var pid = (_process ?? throw new InvalidOperationException("redis-server is not running.")).Id;
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)])
            ?? throw new InvalidOperationException("kill did not start.");
        kill.WaitForExit(10_000).Should().BeTrue();
        kill.ExitCode.Should().Be(0, $"SIG{signal} reaches redis-server {pid}");
    }

    private async Task<bool> ListensAsync()
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
