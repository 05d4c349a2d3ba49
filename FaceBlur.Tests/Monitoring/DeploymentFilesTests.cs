using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using FaceBlur.Tests.Support;
using YamlDotNet.Serialization;

namespace FaceBlur.Tests.Monitoring;

/// <summary>
/// docker-compose.yml, the Prometheus and Grafana provisioning files and the Dockerfile parse and fit together.
/// Docker cannot run here: these checks read the files (YAML with YamlDotNet), they do not start the containers.
/// </summary>
public partial class DeploymentFilesTests
{
    private static string Repo(params string[] parts) => Path.Combine([TestPaths.RepoRoot, .. parts]);

    private static Dictionary<object, object> Yaml(params string[] parts)
    {
        var text = File.ReadAllText(Repo(parts));
        return new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(text)
            ?? throw new FormatException($"{Path.Combine(parts)} is empty");
    }

    private static Dictionary<object, object> Map(object? node) => node.Should().BeOfType<Dictionary<object, object>>().Subject;

    private static List<object> List(object? node) => node.Should().BeOfType<List<object>>().Subject;

    private static Dictionary<object, object> Services() => Map(Yaml("docker-compose.yml")["services"]);

    [Unit]
    [Test]
    public void Compose_runs_the_app_with_RabbitMQ_and_Redis_and_monitoring_under_its_profile()
    {
        var services = Services();
        services.Keys.Should().Contain(["rabbitmq", "redis", "app", "prometheus", "grafana"]);
        ((string)Map(services["rabbitmq"])["image"]).Should().Contain("management");
        foreach (var name in new[] { "rabbitmq", "redis", "app" })
        {
            Map(services[name]).Should().NotContainKey("profiles", $"{name} starts with a plain `docker compose up`");
        }

        foreach (var name in new[] { "prometheus", "grafana" })
        {
            List(Map(services[name])["profiles"]).Should().Equal(["monitoring"]);
        }

        var app = Map(services["app"]);
        File.Exists(Repo((string)Map(app["build"])["dockerfile"])).Should().BeTrue();
        List(app["ports"]).Should().Contain("8080:8080");
        var environment = Map(app["environment"]);
        ((string)environment["RABBITMQ_URL"]).Should().Contain("@rabbitmq:5672");
        ((string)environment["REDIS_URL"]).Should().StartWith("redis:");
        Map(app["depends_on"]).Keys.Should().Contain(["rabbitmq", "redis"]);
    }

    [Unit]
    [Test]
    public void Every_bind_mount_and_named_volume_of_compose_exists()
    {
        var declared = Map(Yaml("docker-compose.yml")["volumes"]).Keys.Cast<string>().ToHashSet();
        foreach (var (name, service) in Services())
        {
            if (!Map(service).TryGetValue("volumes", out var volumes))
            {
                continue;
            }

            foreach (var volume in List(volumes).Cast<string>())
            {
                var source = volume.Split(':')[0];
                if (source.StartsWith('.'))
                {
                    Path.Exists(Repo(source)).Should().BeTrue($"{name} mounts {source}");
                }
                else
                {
                    declared.Should().Contain(source, $"{name} uses the named volume {source}");
                }
            }
        }
    }

    [Unit]
    [Test]
    public void Prometheus_scrapes_the_app_metrics_on_the_compose_network()
    {
        var config = Yaml("monitoring", "prometheus.yml");
        var job = Map(List(config["scrape_configs"]).Single());
        ((string)job["metrics_path"]).Should().Be("/metrics");
        var targets = List(Map(List(job["static_configs"]).Single())["targets"]).Cast<string>().ToList();
        targets.Should().Equal("app:8080");
        Services().Keys.Should().Contain("app");
        MountTarget("prometheus", "./monitoring/prometheus.yml").Should().Be("/etc/prometheus/prometheus.yml");
    }

    [Unit]
    [Test]
    public void Prometheus_sends_the_METRICS_TOKEN_the_app_is_given()
    {
        var job = Map(List(Yaml("monitoring", "prometheus.yml")["scrape_configs"]).Single());
        var authorization = Map(job["authorization"]);
        ((string)authorization["type"]).Should().Be("Bearer");
        var tokenFile = (string)authorization["credentials_file"];

        // One variable for both: the app checks it, Prometheus's entrypoint writes it to the file its config names.
        var services = Services();
        ((string)Map(Map(services["app"])["environment"])["METRICS_TOKEN"]).Should().Be("${METRICS_TOKEN:-}");
        var prometheus = Map(services["prometheus"]);
        ((string)Map(prometheus["environment"])["METRICS_TOKEN"]).Should().Be("${METRICS_TOKEN:-}");
        var entrypoint = List(prometheus["entrypoint"]).Cast<string>().ToList();
        entrypoint.Should().HaveCount(4);
        entrypoint.Take(2).Should().Equal("/bin/sh", "-c");
        entrypoint[2].Should().Contain($"\"$$METRICS_TOKEN\" > {tokenFile} &&").And.EndWith("exec /bin/prometheus \"$$@\"");
        MountTarget("prometheus", "prometheus-data").Should().Be(Path.GetDirectoryName(tokenFile), "the file is written in Prometheus's writable data volume");
    }

    /// <summary>
    /// docker-compose (v1, Debian's package; ./test.sh installs it) validates the whole file without a Docker engine:
    /// keys, types, interpolation, profiles. Skipped where it is not installed.
    /// </summary>
    [Integration]
    [Test]
    public async Task Docker_compose_accepts_the_compose_file()
    {
        var tool = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "docker-compose"))
            .FirstOrDefault(File.Exists);
        if (tool is null)
        {
            Assert.Ignore("docker-compose is not installed (Debian package docker-compose): the compose file was not validated by it.");
        }

        var start = new ProcessStartInfo(tool) { WorkingDirectory = TestPaths.RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--file", Repo("docker-compose.yml"), "config", "--quiet" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        process.ExitCode.Should().Be(0, $"docker-compose config: {await stdout}{await stderr}");
    }

    [Unit]
    [Test]
    public void Grafana_provisions_the_Prometheus_data_source_and_the_dashboard_folder()
    {
        var datasource = Map(List(Yaml("monitoring", "grafana", "provisioning", "datasources", "prometheus.yml")["datasources"]).Single());
        ((string)datasource["type"]).Should().Be("prometheus");
        ((string)datasource["url"]).Should().Be("http://prometheus:9090");
        var uid = (string)datasource["uid"];

        var provider = Map(List(Yaml("monitoring", "grafana", "provisioning", "dashboards", "faceblur.yml")["providers"]).Single());
        ((string)provider["type"]).Should().Be("file");
        var path = (string)Map(provider["options"])["path"];
        MountTarget("grafana", "./monitoring/grafana/dashboards").Should().Be(path, "the provider reads the folder the dashboards are mounted on");
        MountTarget("grafana", "./monitoring/grafana/provisioning").Should().Be("/etc/grafana/provisioning");

        // The dashboard refers to that data source by uid, in every panel and every query.
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Repo("monitoring", "grafana", "dashboards", "faceblur.json")));
        dashboard.RootElement.GetProperty("uid").GetString().Should().NotBeNullOrEmpty();
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToList();
        panels.Should().HaveCountGreaterThanOrEqualTo(7);
        foreach (var panel in panels)
        {
            panel.GetProperty("datasource").GetProperty("uid").GetString().Should().Be(uid);
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                target.GetProperty("datasource").GetProperty("uid").GetString().Should().Be(uid);
                target.GetProperty("expr").GetString().Should().NotBeNullOrWhiteSpace();
            }
        }
    }

    [Unit]
    [Test]
    public void The_Dockerfile_builds_the_SPA_publishes_the_app_and_runs_it_with_ffmpeg()
    {
        var dockerfile = File.ReadAllText(Repo("Dockerfile"));
        var stages = FromLine().Matches(dockerfile).Select(m => m.Groups["stage"].Value).ToList();
        stages.Should().Contain(["spa", "build", "runtime"]);
        dockerfile.Should().Contain("npm ci").And.Contain("npm run build").And.Contain("dotnet publish").And.Contain("ffmpeg");
        dockerfile.Should().Contain("COPY --from=spa").And.Contain("/app/wwwroot/");

        // Every path copied from the build context exists, except ClientApp/ (the web app arrives on its own branch).
        foreach (Match copy in CopyLine().Matches(dockerfile))
        {
            var sources = copy.Groups["args"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1];
            foreach (var source in sources.Where(s => !s.StartsWith("ClientApp", StringComparison.Ordinal)))
            {
                Path.Exists(Repo(source)).Should().BeTrue($"the Dockerfile copies {source}");
            }
        }
    }

    /// <summary>Where a service mounts a path of the repository.</summary>
    private static string MountTarget(string service, string source) =>
        List(Map(Services()[service])["volumes"]).Cast<string>()
            .Select(v => v.Split(':'))
            .Single(parts => parts[0] == source)[1];

    [GeneratedRegex(@"^FROM\s+\S+\s+AS\s+(?<stage>\S+)", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex FromLine();

    [GeneratedRegex(@"^COPY\s+(?!--from)(?<args>.+)$", RegexOptions.Multiline)]
    private static partial Regex CopyLine();
}
