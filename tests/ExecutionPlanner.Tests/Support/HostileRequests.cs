using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace ExecutionPlanner.Tests.Support;

/// <summary>One generated request, with what a failure report needs to reproduce it.</summary>
public sealed record HostileRequest(HttpRequestMessage Message, string Description, bool BodyMayBeCut);

/// <summary>
/// Generates hostile requests over every endpoint of the server: random methods (real and invented),
/// paths with odd segments, query strings and form, multipart and JSON bodies with control characters,
/// invalid UTF-8, unpaired surrogates, huge and malformed numbers and dates, odd content types and
/// Authorization headers. Deterministic for a given <see cref="Random"/> seed and pool contents.
/// </summary>
public sealed class HostileRequests(Random random, HostileRequests.Pools pools, int maxUploadBytes)
{
    /// <summary>Ids the fuzzer has seen (its own jobs and offers) and ids it must not be able to touch (other owners' jobs).</summary>
    public sealed class Pools
    {
        public required string OwnToken { get; init; }

        public required IReadOnlyList<string> ForeignJobIds { get; init; }

        public List<string> JobIds { get; } = [];

        public List<string> OfferIds { get; } = [];

        public List<string> OfferSetIds { get; } = [];

        public static string? Pick(List<string> ids, Random random)
        {
            lock (ids)
            {
                return ids.Count == 0 ? null : ids[random.Next(ids.Count)];
            }
        }

        public static void Add(List<string> ids, string id, int cap = 400)
        {
            lock (ids)
            {
                if (ids.Count < cap && !ids.Contains(id))
                {
                    ids.Add(id);
                }
            }
        }
    }

    static readonly string[] Methods = ["GET", "GET", "GET", "POST", "POST", "POST", "POST", "DELETE", "HEAD", "HEAD", "PUT", "PATCH", "OPTIONS", "TRACE", "FUZZ", "get"];

    static readonly string[] JobPaths =
        ["", "", "/phase", "/executionduration", "/destruction", "/quote", "/owner", "/error", "/parameters", "/parameters/{name}", "/results", "/results/{name}", "/"];

    static readonly string[] ParameterNames =
        ["PHASE", "AFTER", "LAST", "WAIT", "RUNID", "EXECUTIONDURATION", "DESTRUCTION", "ACTION", "image", "cmd", "cmd", "env", "cores", "memory", "phase", "Image", "CMD"];

    static readonly string[] Numbers =
        ["0", "-1", "1", "5", "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808", "99999999999999999999999999999999999",
         "79228162514264337593543950336", "1e400", "-1e400", "NaN", "Infinity", "0x10", "1_000", "\uFF11\uFF12", "1.5", "-0", " 5 ", "0000000000000000000001", "1,5", "+3", ""];

    static readonly string[] Memories = ["512Mi", "79228162514264337593543950335Ti", "9223372036854775807Ki", "1.5G", "8Ei", "-1Gi", "0.0000001Ki", "1e9", "Mi", "8Mi", "64Gi"];

    static readonly string[] Dates =
        ["2015", "2015-10", "2015-10-26", "20151026T091535", "2015-10-26 09:00", "2015-10-26T09:15:35.5+01:00", "2015-10-26T09,5Z", "9999-12-31T23:59:59Z",
         "0001-01-01", "2015-02-30", "2015-10-26T24:00:01", "2030-01-01T00:00:00+14:00", "9999-12-31T23:00-01:00", "2015-W53-7", "-2015", "now"];

    static readonly string[] Words =
        ["RUN", "ABORT", "run", "SUSPEND", "ARCHIVED", "DELETE", "delete", "ACCEPTED", "REJECTED", "executionplanner/busybox:1", "evil/image:latest",
         "executionplanner/../x", "A=b", "=x", "1A=b", "A", "PATH=/bin", "sh", "-c", "echo hi > /uws/results/a", "'; DROP TABLE jobs;--", "<&>\"']]>"];

    static readonly string[] Segments =
        ["nosuchjob0000000", "%00", "%ED%A0%80", "%FF", "%C0%80", "..", "%2e%2e", "%2F", "a%20b", "%u0041", "%F0%9F%98%80", "%0A%0D", "%7F", "%EF%BF%BE",
         "stdout", "cmd", "in.txt", "a/b/../c", "'", "%25", "~", ";x=1", "*"];

    static readonly string[] ContentTypes =
        ["text/plain", "text/csv", "", "text/csv\u00e9", "text/\u0000plain", "t\u00e4xt/plain", "text", "a/b; charset=\"", "application/octet-stream; x=\u0001",
         "multipart/form-data", "*/*", new string('a', 300) + "/b"];

    static readonly string[] BodyTypes =
        ["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-16", "application/x-www-form-urlencoded; charset=nonsense",
         "multipart/form-data", "multipart/form-data; boundary=", "multipart/mixed; boundary=b", "application/json", "text/plain", "application/octet-stream",
         "\u00e9/x", "text/xml", "application/x-www-form-urlencoded\u0000", ""];

    static readonly string[] Authorizations =
        ["Bearer", "Bearer ", "Bearer wrong-token-xyz", "Basic Og==", "Basic !!!!", "Basic", "Negotiate x", "Bearer t\u00f6k", "Bearer \u0001", "bearer nope"];

    T Of<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    bool Chance(double p) => random.NextDouble() < p;

    public HostileRequest Next()
    {
        var method = Of(Methods);
        var path = Path();
        var query = Chance(0.5) ? "?" + string.Join(Chance(0.1) ? "&&" : "&", Enumerable.Range(0, random.Next(1, 5)).Select(_ => Pair())) : "";
        var message = new HttpRequestMessage(new HttpMethod(method), path + query);
        var description = new StringBuilder($"{method} {path}{query}");
        var cut = false;
        if (method is not ("GET" or "HEAD" or "get") || Chance(0.05))
        {
            (message.Content, var body, cut) = Body();
            description.Append(CultureInfo.InvariantCulture, $" body: {body}");
            // A request line over Kestrel's 8 KiB limit (escaping can triple a character's bytes) is answered 414 and
            // the connection closed before the body is read: the client may then fail to send it, as with a 413.
            cut |= Encoding.UTF8.GetByteCount(path + query) * 3 > 8000;
        }
        var auth = random.NextDouble();
        if (auth < 0.6)
        {
            message.Headers.TryAddWithoutValidation("Authorization", $"Bearer {pools.OwnToken}");
        }
        else if (auth > 0.85)
        {
            var value = Of(Authorizations);
            message.Headers.TryAddWithoutValidation("Authorization", value);
            description.Append(CultureInfo.InvariantCulture, $" Authorization: {value}");
        }
        if (Chance(0.1))
        {
            message.Headers.TryAddWithoutValidation("Accept", Of(["*/*", "application/json", "text/xml;q=0", "\u00e9", ""]));
        }
        return new HostileRequest(message, description.ToString(), cut);
    }

    string Path()
    {
        var r = random.NextDouble();
        if (r < 0.55)
        {
            var below = Of(JobPaths).Replace("{name}", Chance(0.5) ? Of(Segments) : Of(["cmd", "image", "in.txt", "stdout", "stderr", "out.txt"]), StringComparison.Ordinal);
            return $"/jobs/{JobId()}{below}";
        }
        if (r < 0.72)
        {
            return "/jobs";
        }
        if (r < 0.85)
        {
            return Of([
                "/planner/offersets", "/planner/offersets", $"/planner/offersets/{HostileRequests.Pools.Pick(pools.OfferSetIds, random) ?? Of(Segments)}",
                $"/planner/offers/{HostileRequests.Pools.Pick(pools.OfferIds, random) ?? Of(Segments)}", $"/planner/offers/{HostileRequests.Pools.Pick(pools.OfferIds, random) ?? Of(Segments)}",
                $"/planner/offers/{Of(Segments)}"]);
        }
        if (r < 0.93)
        {
            return Of(["/availability", "/capabilities", "/health/live", "/health/ready"]);
        }
        return Of(["/", "/jobs//", "/jobs/", "/JOBS", "/jobs/%2e%2e/jobs", $"/jobs/{JobId()}/results/../../..", $"/jobs/{JobId()}//phase",
            "/jobs/" + new string('a', 3000), "/planner", "/planner/offersets/", "/jobs/%00", "/%FF", "/jobs?"]);
    }

    string JobId()
    {
        var r = random.NextDouble();
        return r < 0.6 ? HostileRequests.Pools.Pick(pools.JobIds, random) ?? Of(Segments)
            : r < 0.75 ? Of(pools.ForeignJobIds)
            : Of(Segments);
    }

    /// <summary>A name=value pair as it goes on the wire (percent-encoded, sometimes wrongly).</summary>
    string Pair()
    {
        var name = Chance(0.9) ? Of(ParameterNames) : Value();
        return $"{Encode(name)}={Encode(ValueFor(name))}";
    }

    string ValueFor(string name) => name.ToUpperInvariant() switch
    {
        "AFTER" or "DESTRUCTION" => Chance(0.8) ? Of(Dates) : Value(),
        "LAST" or "WAIT" or "EXECUTIONDURATION" or "CORES" => Chance(0.8) ? Of(Numbers) : Value(),
        "MEMORY" => Chance(0.8) ? Of(Memories) : Value(),
        _ => Chance(0.5) ? Of(Words) : Value(),
    };

    /// <summary>Any text: awkward characters, control characters, unpaired surrogates, very long.</summary>
    public string Value()
    {
        var r = random.NextDouble();
        if (r < 0.03)
        {
            return new string('x', random.Next(60_000, 70_000));
        }
        if (r < 0.3)
        {
            return Of(Words) + (char)random.Next(0, 32);
        }
        var chars = new char[random.Next(0, 24)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = random.Next(8) switch
            {
                0 => (char)random.Next(0, 32),
                1 => Of(['\u007f', '\u0085', '\uFFFE', '\uFFFF', '\uFEFF', '\u202E', '\u2028', '\uD800', '\uDFFF', '\uFFFD']),
                2 => (char)random.Next(0x80, 0x3000),
                3 => Of(['<', '>', '&', '"', '\'', '%', '+', '=', '&', ';', '\\', '/', ' ']),
                _ => (char)random.Next('a', 'z' + 1),
            };
        }
        return new string(chars);
    }

    /// <summary>Percent-encodes UTF-8 (unpaired surrogates become EF BF BD), and sometimes slips in bytes that are not UTF-8 or escapes that are not escapes.</summary>
    string Encode(string value)
    {
        var encoded = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            encoded.Append(b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'.'
                ? ((char)b).ToString()
                : $"%{b:X2}");
        }
        if (Chance(0.1))
        {
            encoded.Insert(random.Next(encoded.Length + 1), Of(["%FF", "%ED%A0%80", "%C0%80", "%", "%G1", "+", "%00", "%80", "%F4%90%80%80"]));
        }
        return encoded.ToString();
    }

    (HttpContent Content, string Description, bool Cut) Body()
    {
        var r = random.NextDouble();
        byte[] bytes;
        string type;
        var cut = false;
        if (r < 0.1)
        {
            // A creation that may well be valid, with hostile values where any text is allowed.
            var pairs = new List<string> { "image=executionplanner%2Fbusybox%3A1" };
            pairs.AddRange(Enumerable.Range(0, random.Next(0, 5)).Select(_ => Of(["cmd", "cmd", "RUNID", "env", "memory", "cores", "EXECUTIONDURATION", "DESTRUCTION"]))
                .Select(name => $"{name}={Encode(name is "cmd" or "RUNID" ? Value() : ValueFor(name))}"));
            bytes = Encoding.ASCII.GetBytes(string.Join("&", pairs));
            type = "application/x-www-form-urlencoded";
        }
        else if (r < 0.35)
        {
            var pairs = Enumerable.Range(0, random.Next(0, 6)).Select(_ => Pair()).ToList();
            if (Chance(0.5))
            {
                pairs.Insert(0, "image=executionplanner%2Fbusybox%3A1");
            }
            bytes = Encoding.ASCII.GetBytes(string.Join(Chance(0.1) ? "&&=" : "&", pairs));
            type = "application/x-www-form-urlencoded";
        }
        else if (r < 0.6)
        {
            (bytes, type) = Multipart();
        }
        else if (r < 0.8)
        {
            bytes = Encoding.UTF8.GetBytes(Json());
            type = "application/json";
        }
        else if (r < 0.95)
        {
            bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            type = Of(BodyTypes);
        }
        else
        {
            // Past Jobs:MaxUploadBytes: 413, and the server may close the connection before reading it all.
            bytes = new byte[maxUploadBytes + random.Next(1, 3 * maxUploadBytes)];
            Array.Fill(bytes, (byte)'x');
            Encoding.ASCII.GetBytes("image=").CopyTo(bytes, 0);
            type = Of(["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json"]);
            cut = true;
        }
        if (Chance(0.1))
        {
            type = Of(BodyTypes);
        }
        HttpContent content = Chance(0.15)
            ? new StreamContent(new MemoryStream(bytes))
            : new ByteArrayContent(bytes);
        content.Headers.TryAddWithoutValidation("Content-Type", type);
        var shown = bytes.Length > 300 ? $"{bytes.Length} bytes" : Encoding.UTF8.GetString(bytes).ReplaceLineEndings("⏎");
        return (content, $"[{type}] {shown}", cut);
    }

    /// <summary>A multipart body written by hand, so that boundaries, part headers and content types can be wrong.</summary>
    (byte[] Bytes, string Type) Multipart()
    {
        var boundary = Chance(0.9) ? "b" + random.Next(1000) : Of(["", new string('b', 100), "\"q\"", "a b", "\u00e9"]);
        var body = new MemoryStream();
        void Write(string s) => body.Write(Encoding.UTF8.GetBytes(s));
        if (Chance(0.6))
        {
            Write($"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nexecutionplanner/busybox:1\r\n");
        }
        for (var i = random.Next(0, 4); i > 0; i--)
        {
            var name = Chance(0.6) ? Of(["cmd", "RUNID", "env", "memory", "in.txt", "data.csv", "PHASE"]) : Value();
            Write($"--{boundary}\r\n");
            if (Chance(0.5))
            {
                Write($"Content-Disposition: form-data; name=\"{name}\"; filename=\"{(Chance(0.8) ? "f.txt" : Value())}\"\r\n");
                if (Chance(0.8))
                {
                    Write($"Content-Type: {Of(ContentTypes)}\r\n");
                }
            }
            else
            {
                Write(Chance(0.9) ? $"Content-Disposition: form-data; name=\"{name}\"\r\n" : Of(["Content-Disposition\r\n", "X: y\r\n", "\r\n"]));
            }
            Write("\r\n");
            if (Chance(0.3))
            {
                var raw = new byte[random.Next(0, 200)];
                random.NextBytes(raw);
                body.Write(raw);
            }
            else
            {
                Write(ValueFor(name));
            }
            Write("\r\n");
        }
        if (Chance(0.85))
        {
            Write($"--{boundary}--\r\n");
        }
        var type = Chance(0.9) ? $"multipart/form-data; boundary={boundary}" : Of(["multipart/form-data", $"multipart/form-data; boundary=\"{boundary}\"; boundary=x"]);
        return (body.ToArray(), type);
    }

    /// <summary>Planner-shaped JSON with hostile strings and numbers, or JSON that is not a task at all.</summary>
    string Json()
    {
        string S() => JsonString(Chance(0.5) ? Of(Words) : Value());
        string N() => Chance(0.7) ? Of(["1", "2", "0.5", "0", "-1", "1e400", "99999999999999999999999", "1.5"]) : S();
        return random.Next(9) switch
        {
            8 or 7 => "{\"name\": " + S() + ", \"executable\": {\"kind\": \"https://www.purl.org/ivoa.net/EB/schema/v1.0/types/executable/docker-container-1.0\"" +
                 ", \"image\": \"executionplanner/busybox:1\", \"command\": [" + S() + ", " + S() + "]}" +
                 ", \"compute\": {\"cores\": {\"min\": 1, \"max\": 2}, \"memory\": {\"min\": 1, \"max\": 2}}" +
                 ", \"schedule\": {\"requested\": {\"duration\": \"PT10M\"}}}",
            0 => "{\"phase\": " + Of(["\"ACCEPTED\"", "\"REJECTED\"", "\"accepted\"", "\"PENDING\"", "null", "1", S()]) + "}",
            1 => "{\"tasktype\": " + S() + ", \"taskinfo\": {\"image\": " + S() + ", \"command\": [" + S() + "]}, \"resources\": {\"mincores\": " + N() +
                 ", \"maxcores\": " + N() + "}, \"schedule\": {\"duration\": " + S() + "}, \"name\": " + S() + "}",
            2 => new string('[', random.Next(50, 2000)),
            3 => Of(["", "null", "[]", "\"x\"", "{", "{\"executable\":", "{\"a\":1,\"a\":2}", "\uFEFF{}", "{\"\\u0000\":1}"]),
            _ => "{\"name\": " + S() + ", \"executable\": {\"kind\": " +
                 (Chance(0.7) ? "\"https://www.purl.org/ivoa.net/EB/schema/v1.0/types/executable/docker-container-1.0\"" : S()) +
                 ", \"image\": " + (Chance(0.6) ? "\"executionplanner/busybox:1\"" : S()) + ", \"command\": [" + S() + ", " + S() + "]" +
                 ", \"environment\": {" + S() + ": " + S() + "}}, \"compute\": {\"cores\": {\"min\": " + N() + ", \"max\": " + N() + "}" +
                 ", \"memory\": {\"min\": " + N() + ", \"max\": " + N() + "}}, \"schedule\": {\"requested\": {\"duration\": " +
                 (Chance(0.6) ? "\"PT10M\"" : S()) + "}}}",
        };
    }

    /// <summary>A JSON string literal; control characters and surrogates as \u escapes, so unpaired surrogates survive as escapes.</summary>
    static string JsonString(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in value)
        {
            sb.Append(c is < ' ' or '"' or '\\' or >= '\uD800' and <= '\uDFFF' ? $"\\u{(int)c:x4}" : c.ToString());
        }
        return sb.Append('"').ToString();
    }
}
