using ExecutionPlanner.Cli.Planning;

namespace ExecutionPlanner.Tests.Unit;

/// <summary>
/// The three planner dialects read by content. The shapes are the published ones: ours (docs/planner.md), the
/// Calycopis OfferSetResponse (Calycopis-openapi schema/v1.0: meta, compute min/max, schedule.available,
/// messages) and the 2021 Note (IVOA-EP-note.tex: reponseword, servicetype, serviceinfo.endpoint, resources).
/// </summary>
public sealed class PlannerAnswerReaderTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    static readonly PlannerService Service = PlannerService.Parse("http://planner.example:8080");

    [Test]
    public void A_bare_service_root_is_asked_at_our_planner_route()
    {
        Assert.That(Service.Url.AbsoluteUri, Is.EqualTo("http://planner.example:8080/planner/offersets"));
        Assert.That(PlannerService.Parse("http://eb.example/requests").Url.AbsolutePath, Is.EqualTo("/requests"));
    }

    [Test]
    public void Our_offer_set_gives_the_offered_resources_window_and_job_list()
    {
        var answer = PlannerAnswerReader.Read(Service, """
            {"id": "s1", "result": "YES", "reasons": [], "expires": "2026-11-22T10:05:00.000Z",
             "offers": [{"id": "o1", "href": "http://planner.example:8080/planner/offers/o1", "phase": "OFFERED",
               "expires": "2026-11-22T10:05:00.000Z",
               "compute": {"cores": {"requested": {"min": 1, "max": 2}, "offered": {"min": 2, "max": 2}},
                           "memory": {"requested": {"min": 1, "max": 2}, "offered": {"min": 1.5, "max": 1.5}}},
               "schedule": {"offered": {"start": "2026-11-22T10:00:00.000Z/2026-11-22T10:01:00.000Z", "duration": "PT10M"}},
               "service": {"type": "simple-docker-uws", "endpoint": "http://planner.example:8080/jobs"}}]}
            """, Now);
        Assert.That(answer.Kind, Is.EqualTo(AnswerKind.Yes));
        Assert.That(answer.Dialect, Is.EqualTo(PlannerAnswerReader.Ours));
        var offer = answer.Offers.Single();
        Assert.That((offer.Id, offer.Cores, offer.MemoryGiB, offer.Duration), Is.EqualTo(("o1", (decimal?)2m, (decimal?)1.5m, (TimeSpan?)TimeSpan.FromMinutes(10))));
        Assert.That(offer.Start, Is.EqualTo(Now));
        Assert.That(offer.StartLatest, Is.EqualTo(Now.AddMinutes(1)));
        Assert.That(offer.Endpoint!.AbsoluteUri, Is.EqualTo("http://planner.example:8080/jobs"));
        Assert.That(offer.Href!.AbsoluteUri, Is.EqualTo("http://planner.example:8080/planner/offers/o1"));
    }

    [Test]
    public void Our_NO_keeps_each_reason_with_its_path()
    {
        var answer = PlannerAnswerReader.Read(Service, """
            {"result": "NO", "offers": [], "reasons": [{"path": "/compute/cores/min", "text": "At least 128 cores were asked for."}]}
            """, Now);
        Assert.That(answer.Kind, Is.EqualTo(AnswerKind.No));
        Assert.That(answer.Reasons, Is.EqualTo(new[] { "/compute/cores/min: At least 128 cores were asked for." }));
    }

    [Test]
    public void A_Calycopis_offer_set_is_read_from_meta_plain_min_max_and_the_available_schedule()
    {
        var answer = PlannerAnswerReader.Read(Service, """
            {"meta": {"uuid": "set-1", "url": "http://planner.example:8080/offersets/set-1"}, "result": "YES",
             "offers": [{"kind": "https://www.purl.org/ivoa.net/Calycopis-openapi/schema/v1.0/kinds/session/scheduled-execution-session.yaml",
               "meta": {"uuid": "sess-1", "url": "/sessions/sess-1"}, "phase": "OFFERED", "expires": "2026-11-22T10:05:00Z",
               "compute": {"kind": "x", "cores": {"min": 4, "max": 4}, "memory": {"min": 8, "max": 8}},
               "schedule": {"preparing": {"start": "2026-11-22T10:10:00Z", "duration": "PT1M"},
                            "available": {"start": "2026-11-22T10:11:00Z/PT5M", "duration": "PT2H"}}}]}
            """, Now);
        Assert.That(answer.Dialect, Is.EqualTo(PlannerAnswerReader.Calycopis));
        var offer = answer.Offers.Single();
        Assert.That((offer.Id, offer.Cores, offer.MemoryGiB), Is.EqualTo(("sess-1", (decimal?)4m, (decimal?)8m)));
        Assert.That(offer.Start, Is.EqualTo(Now.AddMinutes(11)));
        Assert.That(offer.StartLatest, Is.EqualTo(Now.AddMinutes(16)));
        Assert.That(offer.Duration, Is.EqualTo(TimeSpan.FromHours(2)));
        Assert.That(offer.Href!.AbsoluteUri, Is.EqualTo("http://planner.example:8080/sessions/sess-1"), "relative to the planner");
    }

    [Test]
    public void A_Calycopis_NO_takes_its_reasons_from_the_messages()
    {
        var answer = PlannerAnswerReader.Read(Service, """
            {"meta": {"uuid": "set-2", "messages": [{"level": "WARN", "template": "t", "message": "Unknown executable kind"}]}, "result": "NO", "offers": []}
            """, Now);
        Assert.That((answer.Kind, answer.Dialect), Is.EqualTo((AnswerKind.No, PlannerAnswerReader.Calycopis)));
        Assert.That(answer.Reasons, Is.EqualTo(new[] { "Unknown executable kind" }));
    }

    [Test]
    public void A_2021_Note_YES_becomes_an_offer_to_submit_to_its_endpoint_with_the_negotiated_resources()
    {
        var answer = PlannerAnswerReader.Read(Service, """
            {"reponseword": "YES", "servicetype": "uri://docker-uws", "serviceinfo": {"endpoint": "http://example.org/dkuws"},
             "resources": {"mincores": 8, "maxcores": 12, "minmemory": "8G", "maxmemory": "16G", "minstartup": "5s", "maxstartup": "60s", "minduration": "5m", "maxduration": "10m"}}
            """, Now);
        Assert.That((answer.Kind, answer.Dialect), Is.EqualTo((AnswerKind.Yes, PlannerAnswerReader.Note2021)));
        var offer = answer.Offers.Single();
        Assert.That(offer.Href, Is.Null, "nothing to accept");
        Assert.That(offer.Endpoint!.AbsoluteUri, Is.EqualTo("http://example.org/dkuws"));
        Assert.That((offer.Cores, offer.MemoryGiB, offer.Duration), Is.EqualTo(((decimal?)12m, (decimal?)16m, (TimeSpan?)TimeSpan.FromMinutes(10))));
        Assert.That(offer.Start, Is.EqualTo(Now.AddSeconds(5)));
        Assert.That(offer.ServiceType, Is.EqualTo("uri://docker-uws"));
    }

    [Test]
    public void A_2021_Note_NO_gives_its_reasons_or_says_it_gave_none()
    {
        var bare = PlannerAnswerReader.Read(Service, """{"reponseword": "NO"}""", Now);
        Assert.That(bare.Kind, Is.EqualTo(AnswerKind.No));
        Assert.That(bare.Reasons.Single(), Does.Contain("no reason"));
        var reasoned = PlannerAnswerReader.Read(Service, """{"reponseword": "NO", "reponseinfo": {"reasons": [{"httpcode": 403, "text": "Not authorised"}]}}""", Now);
        Assert.That(reasoned.Reasons, Is.EqualTo(new[] { "Not authorised (403)" }));
    }

    [TestCase("<html><body>Welcome to nginx!</body></html>", "not JSON")]
    [TestCase("[1, 2]", "not an object")]
    [TestCase("""{"status": "ok"}""", "not a planner answer")]
    [TestCase("""{"reponseword": "YES", "resources": {"maxmemory": "lots"}}""", "cannot be read")]
    public void Anything_else_is_a_failure_with_a_reason(string body, string reason)
    {
        var answer = PlannerAnswerReader.Read(Service, body, Now);
        Assert.That(answer.Kind, Is.EqualTo(AnswerKind.Failed));
        Assert.That(answer.Reasons.Single(), Does.Contain(reason));
    }
}
