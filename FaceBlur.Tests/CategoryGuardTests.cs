using System.Reflection;
using FaceBlur.Tests.Support;
using NUnit.Framework.Interfaces;

namespace FaceBlur.Tests;

/// <summary>
/// Every test of this assembly carries exactly one speed category (<see cref="TestCategory"/>), from its fixture class,
/// its <c>[TestFixture(..., Category = ...)]</c>, the method or its <c>[TestCase(..., Category = ...)]</c>: a test with
/// none would be skipped by both filtered runs, one with both would make the fast run slow.
/// </summary>
[Unit]
public class CategoryGuardTests
{
    private static readonly string[] Speeds = [TestCategory.Unit, TestCategory.Integration];

    [Test]
    public void Every_test_has_exactly_one_speed_category()
    {
        var checkedTests = 0;
        var problems = new List<string>();
        foreach (var type in typeof(CategoryGuardTests).Assembly.GetTypes().Where(t => t.IsClass && !t.IsAbstract))
        {
            foreach (var method in TestMethods(type))
            {
                foreach (var (variant, categories) in Variants(type, method))
                {
                    checkedTests++;
                    var speeds = Speeds.Where(categories.Contains).ToList();
                    if (speeds.Count != 1)
                    {
                        problems.Add($"{type.FullName}{variant}.{method.Name}: {(speeds.Count == 0 ? "no speed category" : "both Unit and Integration")}");
                    }
                }
            }
        }

        checkedTests.Should().BeGreaterThan(300, "the guard must see the suite's tests, not an empty list");
        problems.Should().BeEmpty("each test needs exactly one of [Unit] or [Integration] (see FaceBlur.Tests/Support/TestCategories.cs)");
    }

    /// <summary>The guard sees a fixture without a category, one with both, and the categories of fixture variants.</summary>
    [Test]
    public void The_guard_tells_untagged_and_doubly_tagged_tests_apart()
    {
        Variants(typeof(Untagged), typeof(Untagged).GetMethod(nameof(Untagged.Check))!).Single().Categories.Should().BeEmpty();
        Variants(typeof(DoublyTagged), typeof(DoublyTagged).GetMethod(nameof(DoublyTagged.Check))!).Single().Categories
            .Should().BeEquivalentTo([TestCategory.Unit, TestCategory.Integration]);
        var contract = typeof(Jobs.JobQueueContractTests);
        Variants(contract, TestMethods(contract).First()).Select(v => v.Categories.Single())
            .Should().BeEquivalentTo([TestCategory.Unit, TestCategory.Integration], "its in-process fixture is Unit, its RabbitMQ one Integration");
    }

    private static IEnumerable<MethodInfo> TestMethods(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)
            .Where(m => m.GetCustomAttributes(inherit: true).Any(a => a is ITestBuilder or ISimpleTestBuilder));

    /// <summary>The categories of each test a method makes: one per fixture variant and per categorised test case.</summary>
    private static List<(string Variant, HashSet<string> Categories)> Variants(Type type, MethodInfo method)
    {
        var common = Names(type.GetCustomAttributes<CategoryAttribute>(inherit: true)).Concat(Names(method.GetCustomAttributes<CategoryAttribute>(inherit: true))).ToList();
        var fixtures = type.GetCustomAttributes<TestFixtureAttribute>(inherit: true)
            .Select(f => ($"({string.Join(", ", f.Arguments)})", Split(f.Category)))
            .DefaultIfEmpty(("", []))
            .ToList();
        var cases = method.GetCustomAttributes<TestCaseAttribute>()
            .Select(c => Split(c.Category))
            .DefaultIfEmpty([])
            .Distinct(StringListComparer.Instance)
            .ToList();
        return [.. fixtures.SelectMany(f => cases.Select(c => (f.Item1, new HashSet<string>(common.Concat(f.Item2).Concat(c), StringComparer.Ordinal))))];
    }

    private static IEnumerable<string> Names(IEnumerable<CategoryAttribute> attributes) => attributes.Select(a => a.Name);

    private static List<string> Split(string? categories) =>
        [.. (categories ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private sealed class StringListComparer : IEqualityComparer<List<string>>
    {
        public static readonly StringListComparer Instance = new();

        public bool Equals(List<string>? x, List<string>? y) => x is not null && y is not null && x.SequenceEqual(y, StringComparer.Ordinal);

        public int GetHashCode(List<string> obj) => string.Join(',', obj).GetHashCode(StringComparison.Ordinal);
    }

    // Examples for the guard's own test: no test methods, so NUnit makes no fixture of them.
    private sealed class Untagged
    {
        public static void Check()
        {
        }
    }

    [Unit]
    [Integration]
    private sealed class DoublyTagged
    {
        public static void Check()
        {
        }
    }
}
