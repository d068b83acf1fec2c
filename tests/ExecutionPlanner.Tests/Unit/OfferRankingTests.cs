using ExecutionPlanner.Cli.Planning;
using ExecutionPlanner.Cli.Tasks;

namespace ExecutionPlanner.Tests.Unit;

public sealed class OfferRankingTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    static OfferCandidate Offer(string name, int startMinutes, decimal cores, decimal memory, int minutes) => new()
    {
        Service = PlannerService.Parse($"http://{name}.example"),
        Dialect = "test",
        Id = name,
        Start = Now.AddMinutes(startMinutes),
        Cores = cores,
        MemoryGiB = memory,
        Duration = TimeSpan.FromMinutes(minutes),
    };

    static readonly OfferCandidate[] Offers =
    [
        Offer("soon-small", 0, 1, 1, 10),
        Offer("later-big", 30, 8, 16, 10),
        Offer("middle-long", 10, 2, 2, 120),
    ];

    [TestCase("earliest", new[] { "soon-small", "middle-long", "later-big" })]
    [TestCase("biggest", new[] { "later-big", "middle-long", "soon-small" })]
    [TestCase("longest", new[] { "middle-long", "soon-small", "later-big" })]
    [TestCase("score", new[] { "later-big", "soon-small", "middle-long" })]
    public void Each_ranking_orders_offers_from_many_planners(string ranking, string[] expected) =>
        Assert.That(OfferRanking.Order(Offers, OfferRanking.Parse(ranking), Now).Select(o => o.Id), Is.EqualTo(expected));

    [Test]
    public void An_unknown_ranking_is_a_usage_error_naming_the_choices()
    {
        var ex = Assert.Throws<ExecutionPlanner.Cli.CliException>(() => OfferRanking.Parse("cheapest"));
        Assert.That(ex!.Message, Does.Contain("earliest, biggest, longest or score"));
    }

    [TestCase("PT10M", 600)]
    [TestCase("90s", 90)]
    [TestCase("10m", 600)]
    [TestCase("2h", 7200)]
    [TestCase("P1D", 86400)]
    public void Durations_are_read_in_ISO_8601_or_short_form(string text, int seconds) =>
        Assert.That(Quantities.ParseDuration(text), Is.EqualTo(TimeSpan.FromSeconds(seconds)));

    [TestCase("2", 2.0)]
    [TestCase("512Mi", 0.5)]
    [TestCase("2Gi", 2.0)]
    [TestCase("8G", 8.0)]
    [TestCase("1T", 1024.0)]
    public void Memory_is_read_into_GiB(string text, double gib) =>
        Assert.That(Quantities.ParseMemoryGiB(text), Is.EqualTo((decimal)gib));

    [Test]
    public void A_range_gives_min_and_max_and_one_value_gives_both() => Assert.Multiple(() =>
    {
        Assert.That(Quantities.ParseRange("1-4", Quantities.ParseDecimal), Is.EqualTo((1m, 4m)));
        Assert.That(Quantities.ParseRange("0.25..0.5", Quantities.ParseDecimal), Is.EqualTo((0.25m, 0.5m)));
        Assert.That(Quantities.ParseRange("2", Quantities.ParseDecimal), Is.EqualTo((2m, 2m)));
    });
}
