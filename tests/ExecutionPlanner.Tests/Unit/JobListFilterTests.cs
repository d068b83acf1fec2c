using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Jobs;
using Microsoft.AspNetCore.Http;

namespace ExecutionPlanner.Tests.Unit;

[Parallelizable(ParallelScope.Children)]
public sealed class JobListFilterTests
{
    static JobListFilter Parse(string query)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query);
        return JobListFilter.Parse(UwsRequestParameters.FromQuery(context.Request));
    }

    static void AssertRefused(string query, string expected)
    {
        var ex = Assert.Throws<UwsRequestException>(() => Parse(query))!;
        Assert.That(ex.StatusCode, Is.EqualTo(400));
        Assert.That(ex.Message, Does.Contain(expected));
    }

    [Test]
    public void No_query_means_no_filter() => Assert.That(Parse(""), Is.EqualTo(new JobListFilter(null, null, null)));

    [Test]
    public void Repeated_PHASE_is_a_union()
    {
        var filter = Parse("?PHASE=PENDING&PHASE=COMPLETED&PHASE=PENDING");
        Assert.That(filter.Phases, Is.EquivalentTo(new[] { ExecutionPhase.PENDING, ExecutionPhase.COMPLETED }));
    }

    [Test]
    public void Lower_case_phases_and_parameter_names_are_accepted() =>
        Assert.That(Parse("?phase=archived&Phase=Queued").Phases, Is.EquivalentTo(new[] { ExecutionPhase.ARCHIVED, ExecutionPhase.QUEUED }));

    [TestCase("?PHASE=RUNNING")]
    [TestCase("?PHASE=")]
    [TestCase("?PHASE=0")]
    [TestCase("?PHASE=3")]
    [TestCase("?PHASE=PENDING,QUEUED")]
    public void An_invalid_PHASE_is_refused(string query) => AssertRefused(query, "is not a UWS phase");

    [Test]
    public void AFTER_is_read_as_UTC() =>
        Assert.That(Parse("?AFTER=2026-01-31T12:00:00.123456").After, Is.EqualTo(new DateTimeOffset(2026, 1, 31, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_560)));

    [TestCase("?AFTER=2015", 2015, 1, 1, 0)]
    [TestCase("?AFTER=20151026T0900", 2015, 10, 26, 9)]
    [TestCase("?AFTER=2015-10-26+09:00", 2015, 10, 26, 9)]
    [TestCase("?AFTER=2015-10-26T10:00:00%2B01:00", 2015, 10, 26, 9)]
    [TestCase("?AFTER=2015-10-26T10:00:00+01:00", 2015, 10, 26, 9)]
    [TestCase("?AFTER=2015-10-26T09,5Z", 2015, 10, 26, 9.5)]
    public void AFTER_takes_any_ISO_8601_form_even_with_an_unencoded_plus(string query, int y, int mo, int d, double hours) =>
        Assert.That(Parse(query).After, Is.EqualTo(new DateTimeOffset(y, mo, d, 0, 0, 0, TimeSpan.Zero).AddHours(hours)));

    [Test]
    public void Repeated_AFTER_keeps_the_latest_instant()
    {
        var latest = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.That(Parse("?AFTER=2026-01-01T00:00:00Z&AFTER=2026-03-01T00:00:00Z&AFTER=2026-02-01T00:00:00Z").After, Is.EqualTo(latest));
        Assert.That(Parse("?AFTER=2026-03-01T00:00:00Z&AFTER=2026-01-01T00:00:00Z").After, Is.EqualTo(latest));
    }

    [TestCase("?AFTER=yesterday")]
    [TestCase("?AFTER=")]
    [TestCase("?AFTER=2026-02-30T00:00:00Z")]
    public void An_invalid_AFTER_is_refused(string query) => AssertRefused(query, "AFTER");

    [Test]
    public void Repeated_LAST_keeps_the_smallest()
    {
        Assert.That(Parse("?LAST=10&LAST=3&LAST=7").Last, Is.EqualTo(3));
        Assert.That(Parse("?last=1").Last, Is.EqualTo(1));
    }

    [TestCase("?LAST=0")]
    [TestCase("?LAST=-1")]
    [TestCase("?LAST=abc")]
    [TestCase("?LAST=1.5")]
    [TestCase("?LAST=")]
    [TestCase("?LAST=+3")]
    [TestCase("?LAST=99999999999")]
    public void An_invalid_LAST_is_refused(string query) => AssertRefused(query, "greater than 0");

    [Test]
    public void An_unknown_filter_name_is_refused() => AssertRefused("?PHASE=PENDING&OWNER=me", "Unknown job list filter 'OWNER'");

    [Test]
    public void All_filters_combine()
    {
        var filter = Parse("?PHASE=QUEUED&AFTER=2026-01-01T00:00:00Z&LAST=5");
        Assert.Multiple(() =>
        {
            Assert.That(filter.Phases, Is.EquivalentTo(new[] { ExecutionPhase.QUEUED }));
            Assert.That(filter.After, Is.EqualTo(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));
            Assert.That(filter.Last, Is.EqualTo(5));
        });
    }
}
