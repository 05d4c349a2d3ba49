namespace FaceBlur.Tests.Support;

/// <summary>
/// The two speeds of the suite, as NUnit categories: every test carries exactly one (on its fixture or on itself),
/// which <see cref="FaceBlur.Tests.CategoryGuardTests"/> checks. Run the fast ones with
/// <c>dotnet test FaceBlur.Tests --filter TestCategory=Unit</c>.
/// </summary>
public static class TestCategory
{
    /// <summary>
    /// Needs nothing outside the test process: no RabbitMQ or Redis server, no ffmpeg or ffprobe, no child process, no
    /// real Kestrel socket, no browser. Seconds for the whole category.
    /// </summary>
    public const string Unit = "Unit";

    /// <summary>Uses real services or processes: RabbitMQ, Redis, ffmpeg/ffprobe, the app or the CLI as a process, Kestrel.</summary>
    public const string Integration = "Integration";
}

/// <summary>Marks a fixture or test as <see cref="TestCategory.Unit"/>.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class UnitAttribute() : CategoryAttribute(TestCategory.Unit);

/// <summary>Marks a fixture or test as <see cref="TestCategory.Integration"/>.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class IntegrationAttribute() : CategoryAttribute(TestCategory.Integration);
