using System.Text;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Events;

namespace ExecutionPlanner.Tests.Unit;

/// <summary>The pure parts of live events: the NOTIFY wire form, the text/event-stream form, and which phases a stream sends.</summary>
public sealed class JobEventsUnitTests
{
    static readonly DateTimeOffset T = new(2026, 11, 26, 1, 20, 40, 123, TimeSpan.Zero);

    [Test]
    public void The_trigger_payloads_are_read_and_unknown_ones_ignored()
    {
        var phase = JobEventPayload.Parse("""{"k" : "p", "id" : "j1", "o" : "alice", "p" : "EXECUTING", "t" : "2026-11-26T01:20:40.123Z"}""")!;
        Assert.That((phase.Kind, phase.JobId, phase.OwnerId, phase.Phase, phase.Time), Is.EqualTo((JobEventKind.Phase, "j1", "alice", ExecutionPhase.EXECUTING, T)));
        var message = JobEventPayload.Parse("""{"k":"m","id":"j1","o":"","t":"2026-11-26T01:20:40.123+00:00","x":"said"}""")!;
        Assert.That((message.Kind, message.OwnerId, message.Time, message.Text), Is.EqualTo((JobEventKind.Message, "", T, "said")));
        Assert.That(JobEventPayload.Parse("""{"k":"d","id":"j1","o":"a"}""")!.Kind, Is.EqualTo(JobEventKind.Deleted));
        foreach (var bad in new[] { "", "not json", "{}", """{"k":"p","id":"j1","o":"a","p":"NOPE","t":"x"}""", """{"k":"z","id":"j1","o":"a"}""", """{"k":"d","id":"j1"}""" })
        {
            Assert.That(JobEventPayload.Parse(bad), Is.Null, bad);
        }
    }

    [Test]
    public void Output_payloads_round_trip_with_any_text_and_stay_under_the_limit()
    {
        var lines = new List<string> { "plain", "quote \" backslash \\ tab \t", "ünïcødé ✓", new('x', 1000) };
        var payload = JobEventPayload.Output("j1", "alice", "stderr", lines);
        Assert.That(Encoding.UTF8.GetByteCount(payload), Is.LessThan(JobEventPayload.MaxBytes));
        var e = JobEventPayload.Parse(payload)!;
        Assert.That((e.Kind, e.Stream, e.OwnerId), Is.EqualTo((JobEventKind.Output, "stderr", "alice")));
        Assert.That(e.Lines, Is.EqualTo(lines));
    }

    [Test]
    public void Events_are_written_in_the_contract_form()
    {
        var sb = new StringBuilder();
        ServerSentEvents.Write(sb, JobEvent.PhaseChanged("j1", "a", ExecutionPhase.QUEUED, T));
        ServerSentEvents.Write(sb, new JobEvent(JobEventKind.Message, "j1", "a") { Time = T, Text = "two\nlines" });
        ServerSentEvents.Write(sb, new JobEvent(JobEventKind.Output, "j1", "a") { Stream = "stdout", Lines = ["x", "y"] });
        var ms = T.ToUnixTimeMilliseconds();
        Assert.That(sb.ToString(), Is.EqualTo(
            $"event: phase\nid: {ms}\ndata: {{\"jobId\":\"j1\",\"phase\":\"QUEUED\",\"time\":\"2026-11-26T01:20:40.123Z\"}}\n\n" +
            $"event: message\nid: {ms}\ndata: {{\"jobId\":\"j1\",\"time\":\"2026-11-26T01:20:40.123Z\",\"text\":\"two\\nlines\"}}\n\n" +
            "event: stdout\ndata: {\"jobId\":\"j1\",\"line\":\"x\"}\n\n" +
            "event: stdout\ndata: {\"jobId\":\"j1\",\"line\":\"y\"}\n\n"));
    }

    [Test]
    public void A_stream_never_sends_a_phase_older_than_one_it_sent_nor_the_same_twice()
    {
        var tracker = new PhaseTracker();
        Assert.That(tracker.ShouldSend(JobEvent.PhaseChanged("j", "a", ExecutionPhase.EXECUTING, T)), Is.True);
        Assert.That(tracker.ShouldSend(JobEvent.PhaseChanged("j", "a", ExecutionPhase.EXECUTING, T)), Is.False, "the same change twice");
        Assert.That(tracker.ShouldSend(JobEvent.PhaseChanged("j", "a", ExecutionPhase.QUEUED, T.AddMilliseconds(-5))), Is.False, "older");
        Assert.That(tracker.ShouldSend(JobEvent.PhaseChanged("j", "a", ExecutionPhase.COMPLETED, T)), Is.True, "same millisecond, another phase");
        Assert.That(tracker.ShouldSend(JobEvent.PhaseChanged("j", "a", ExecutionPhase.EXECUTING, T)), Is.False, "never back from a terminal phase in the same ms");
        Assert.That(tracker.ShouldSend(JobEvent.PhaseChanged("other", "a", ExecutionPhase.PENDING, T.AddMilliseconds(-9))), Is.True, "per job");
        Assert.That(tracker.Latest, Is.EqualTo(T));
    }
}
