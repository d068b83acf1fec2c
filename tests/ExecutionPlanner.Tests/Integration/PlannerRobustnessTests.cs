using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ExecutionPlanner.Tests.Support;
using static ExecutionPlanner.Tests.Support.PlannerClient;

namespace ExecutionPlanner.Tests.Integration;

/// <summary>Hostile planner bodies: each gets a 4xx with a message saying what was wrong, never a 5xx.</summary>
public sealed class PlannerRobustnessTests : ServerFixture
{
    const string Task = """{"executable": {"kind": "uri://docker-container", "image": "executionplanner/busybox:1"}, "compute": {"cores": {"min": 0.1, "max": 0.1}, "memory": {"min": 0.1, "max": 0.1}}""";

    static ByteArrayContent Raw(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    static ByteArrayContent Json(string body) => Raw(Encoding.UTF8.GetBytes(body), "application/json");

    static IEnumerable<TestCaseData> OfferSetBodies()
    {
        TestCaseData Case(string name, HttpContent body, string says) => new TestCaseData(body, says).SetName($"Offer_set_{name}_gets_400");
        yield return Case("with_an_integer_beyond_64_bits", Json(Task + """, "compute": {"cores": {"min": 123456789012345678901234567890123456789}}}"""), "/compute/cores/min");
        yield return Case("with_memory_beyond_64_bits", Json(Task + """, "compute": {"memory": {"min": "99999999999999999999Ti"}}}"""), "/compute/memory/min");
        yield return Case("with_a_lone_surrogate", Json("""{"executable": {"kind": "uri://docker-container", "image": "busybox\ud800"}}"""), "lone UTF-16 surrogate");
        yield return Case("with_a_lone_surrogate_in_a_name", Json("""{"executable": {"kind": "uri://docker-container", "image": "x", "environment": {"\udc00": "v"}}}"""), "lone UTF-16 surrogate");
        yield return Case("with_nul_in_a_string", Json("""{"executable": {"kind": "uri://docker-container\u0000", "image": "x"}}"""), "NUL");
        yield return Case("with_a_schedule_past_the_year_9999", Json(Task + """, "schedule": {"requested": {"start": "9999-12-31T00:00:00Z/P10D"}}}"""), "/schedule/requested/start");
        yield return Case("with_a_duration_of_ten_thousand_years", Json(Task + """, "schedule": {"requested": {"duration": "P3650000D"}}}"""), "/schedule/requested/duration");
        yield return Case("with_invalid_utf8", Raw([.. Encoding.UTF8.GetBytes("{\"executable\": {\"kind\": \""), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}}")], "application/json"), "UTF-8");
        yield return Case("nested_too_deep", Json(string.Concat(Enumerable.Repeat("[", 200)) + string.Concat(Enumerable.Repeat("]", 200))), "not JSON");
        yield return Case("as_a_yaml_alias_bomb", Raw(Encoding.UTF8.GetBytes(YamlBomb()), "application/yaml"), "too large");
        yield return Case("as_xml", Raw("<offers-request/>"u8.ToArray(), "application/xml"), "JSON and YAML");
        yield return Case("as_a_broken_multipart_form", Raw("--b\r\nContent-Disposition: form-data; name=\"tasktype\"\r\n\r\nuri://docker"u8.ToArray(), "multipart/form-data; boundary=b"), "form");
    }

    static string YamlBomb()
    {
        var lines = new List<string> { "a: &a [x, x, x, x, x, x, x, x, x, x]" };
        for (var i = 1; i < 9; i++)
        {
            lines.Add($"{(char)('a' + i)}: &{(char)('a' + i)} [*{(char)('a' + i - 1)}, *{(char)('a' + i - 1)}, *{(char)('a' + i - 1)}, *{(char)('a' + i - 1)}, *{(char)('a' + i - 1)}, *{(char)('a' + i - 1)}, *{(char)('a' + i - 1)}, *{(char)('a' + i - 1)}, *{(char)('a' + i - 1)}, *{(char)('a' + i - 1)}]");
        }
        return string.Join('\n', lines);
    }

    [TestCaseSource(nameof(OfferSetBodies))]
    public async Task Hostile_offer_set_bodies(HttpContent body, string says)
    {
        using var client = Server.NewOwner();
        foreach (var path in new[] { "/planner/offersets", "/requests", "/planner/accept" })
        {
            var copy = Raw(await body.ReadAsByteArrayAsync(), body.Headers.ContentType!.ToString());
            using var response = await client.PostAsync(path, copy);
            var text = await response.Content.ReadAsStringAsync();
            Assert.That((int)response.StatusCode, Is.InRange(400, 499), $"{path}: {text}");
            Assert.That(text, Does.Contain(says).IgnoreCase, path);
        }
    }

    static IEnumerable<TestCaseData> PhaseBodies()
    {
        TestCaseData Case(string name, Func<HttpContent> body, string says) => new TestCaseData(body, says).SetName($"Offer_phase_{name}_gets_400");
        yield return Case("written_as_a_number_in_a_string", () => Json("""{"phase": "1"}"""), "'1'");
        yield return Case("written_as_a_number", () => Json("""{"phase": 1}"""), "/phase");
        yield return Case("in_an_update_of_another_path", () => Json("""{"kind": "uri:enum-value-update", "path": "executable/image", "value": "x"}"""), "only the phase");
        yield return Case("in_a_broken_multipart_form", () => Raw("--b\r\nContent-Disposition: form-data; name=\"phase\"\r\n\r\nACCEPTED"u8.ToArray(), "multipart/form-data; boundary=b"), "form");
        yield return Case("in_a_multipart_form_without_boundary", () => Raw("phase=ACCEPTED"u8.ToArray(), "multipart/form-data"), "form");
        yield return Case("in_a_form_with_bad_percent_encoding", () => Raw("phase=%ZZACCEPTED%"u8.ToArray(), "application/x-www-form-urlencoded"), "phase");
        yield return Case("with_a_lone_surrogate", () => Json("""{"phase": "\ud800"}"""), "surrogate");
        yield return Case("as_invalid_utf8", () => Raw([.. "{\"phase\": \""u8.ToArray(), 0xFF, .. "\"}"u8.ToArray()], "application/json"), "UTF-8");
    }

    [TestCaseSource(nameof(PhaseBodies))]
    public async Task Hostile_phase_bodies(Func<HttpContent> body, string says)
    {
        using var client = Server.NewOwner();
        var set = await client.AskAsync(JsonNode.Parse(Task + "}")!);
        Assert.That(set["result"]!.GetValue<string>(), Is.EqualTo("YES"), set.ToJsonString());
        var offer = Href(Offers(set)[0]);
        foreach (var path in new[] { new Uri(offer).PathAndQuery, new Uri(offer).PathAndQuery.Replace("/planner/offers/", "/sessions/", StringComparison.Ordinal) })
        {
            using var response = await client.PostAsync(path, body());
            var text = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), $"{path}: {text}");
            Assert.That(text, Does.Contain(says).IgnoreCase, path);
        }
        Assert.That((await client.GetOfferAsync(offer))["phase"]!.GetValue<string>(), Is.EqualTo("OFFERED"), "nothing was taken as ACCEPTED");
    }
}
