using System.Text.RegularExpressions;
using ExecutionPlanner.Server.Persistence;
using Mono.Cecil;
using Mono.Cecil.Cil;
using NetArchTest.Rules;

namespace ExecutionPlanner.Tests.Architecture;

/// <summary>
/// The layout of design section 1, kept by the compiled server (no database, no engine): dependencies point one way,
/// Http &lt;- Jobs &lt;- {Execution, Planner}; nothing in Jobs knows Hangfire or Docker; and Jobs/Store is the one owner
/// of the jobs tables (jobs and the tables whose rows go with a job: job_files, job_output_tails, job_callbacks), whose
/// every read and write goes through it.
/// </summary>
public sealed class LayoutTests
{
    const string Root = "ExecutionPlanner.Server";

    static readonly System.Reflection.Assembly Server = typeof(UwsDbContext).Assembly;

    /// <summary>SQL that names a jobs table: a statement reading, joining, writing or deleting it.</summary>
    static readonly Regex JobTablesSql = new(@"\b(FROM|JOIN|INTO|UPDATE)\s+(jobs|job_files|job_output_tails|job_callbacks)\b", RegexOptions.IgnoreCase);

    /// <summary>The owners: the store, and Persistence (the DbContext's mapping, entities and migrations).</summary>
    static readonly string[] Owners = [$"{Root}.Jobs.Store", $"{Root}.Persistence"];

    /// <summary>
    /// The planner reads jobs joined to its offers (the capacity ledger's batched snapshot; an offer's job phase), in
    /// one round trip under one snapshot. Read-only. Those statements name the planner's offers columns, so moving them
    /// into Jobs/Store would make the job service know the planner's table: the dependency would point the wrong way.
    /// </summary>
    static readonly string[] PlannerSnapshotReaders = [$"{Root}.Planner.LedgerStore", $"{Root}.Planner.OfferStore"];

    [Test]
    public void Http_depends_on_no_feature() =>
        AssertDependsOnNone("Http", Ns("Jobs"), Ns("Execution"), Ns("Planner"), Ns("Web"));

    [Test]
    public void Jobs_depends_on_neither_execution_nor_planner_nor_pages_nor_the_engine() =>
        AssertDependsOnNone("Jobs", Ns("Execution"), Ns("Planner"), Ns("Web"), "Hangfire", "ExecutionPlanner.Docker", "Docker.DotNet");

    [Test]
    public void The_dependency_rule_sees_dependencies_that_exist()
    {
        // Execution does use Hangfire, the engine adapter and the store: a rule that missed these would pass anything.
        var result = Types.InAssembly(Server).That().ResideInNamespaceMatching(InNamespace("Execution"))
            .Should().NotHaveDependencyOnAny("Hangfire", "ExecutionPlanner.Docker", Ns("Jobs")).GetResult();
        var failing = result.FailingTypes.Select(t => t.FullName).ToList();
        Assert.That(failing, Has.Some.EndsWith(".QueuedJobDispatcher"));
        Assert.That(failing, Has.Some.EndsWith(".ContainerRunner"));
    }

    [Test]
    public void Only_the_store_touches_the_jobs_tables()
    {
        var touching = TablesTouchedOutside(Owners.Concat(PlannerSnapshotReaders).ToArray());
        Assert.That(touching, Is.Empty,
            "Read and write the jobs tables through Jobs/Store (JobQueries, JobWrites, JobPhaseChanger, RunQueue, ...), not here.");
    }

    [Test]
    public void The_table_rule_sees_the_store_itself()
    {
        // Without exemptions the store's own statements are found: the scan sees EF's DbSets and raw SQL alike.
        var touching = TablesTouchedOutside([$"{Root}.Persistence"]);
        Assert.That(touching, Has.Some.StartsWith($"{Root}.Jobs.Store.RunQueue: SQL"));
        Assert.That(touching, Has.Some.StartsWith($"{Root}.Jobs.Store.JobQueries: UwsDbContext.Jobs"));
        Assert.That(touching, Has.Some.StartsWith($"{Root}.Jobs.Store.JobFileReads: SQL"));
        Assert.That(touching, Has.Some.StartsWith($"{Root}.Jobs.Store.CallbackOutbox: SQL"));
        Assert.That(touching, Has.Some.StartsWith($"{Root}.Planner.LedgerStore: SQL"));
    }

    static string Ns(string area) => $"{Root}.{area}";

    static string InNamespace(string area) => $@"^{Regex.Escape(Ns(area))}(\..+)?$";

    static void AssertDependsOnNone(string area, params string[] forbidden)
    {
        var result = Types.InAssembly(Server).That().ResideInNamespaceMatching(InNamespace(area))
            .Should().NotHaveDependencyOnAny(forbidden).GetResult();
        Assert.That(result.SelectedTypesForTesting, Is.Not.Empty, $"No types in {Ns(area)}.");
        Assert.That(result.FailingTypes.Select(t => $"{t.FullName}: {t.Explanation}"), Is.Empty,
            $"{Ns(area)} must not depend on {string.Join(", ", forbidden)}.");
    }

    /// <summary>"Type: what" for every use of UwsDbContext.Jobs/JobFiles, and every SQL text naming a jobs table, outside <paramref name="exempt"/>.</summary>
    static List<string> TablesTouchedOutside(string[] exempt)
    {
        using var module = ModuleDefinition.ReadModule(Server.Location);
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in module.GetTypes())
        {
            var outer = type;
            while (outer.DeclaringType is not null)
            {
                outer = outer.DeclaringType;
            }
            if (exempt.Any(e => outer.FullName == e || outer.Namespace == e || outer.Namespace.StartsWith(e + ".", StringComparison.Ordinal)))
            {
                continue;
            }
            foreach (var field in type.Fields.Where(f => f.HasConstant && f.Constant is string s && JobTablesSql.IsMatch(s)))
            {
                found.Add($"{outer.FullName}: SQL in {field.Name}");
            }
            foreach (var method in type.Methods.Where(m => m.HasBody))
            {
                foreach (var instruction in method.Body.Instructions)
                {
                    if (instruction.Operand is MethodReference { Name: "get_Jobs" or "get_JobFiles" } member
                        && member.DeclaringType.FullName == typeof(UwsDbContext).FullName)
                    {
                        found.Add($"{outer.FullName}: UwsDbContext.{member.Name[4..]}");
                    }
                    if (instruction.OpCode == OpCodes.Ldstr && instruction.Operand is string text && JobTablesSql.IsMatch(text))
                    {
                        found.Add($"{outer.FullName}: SQL \"{JobTablesSql.Match(text).Value}\"");
                    }
                }
            }
        }
        return [.. found];
    }
}
