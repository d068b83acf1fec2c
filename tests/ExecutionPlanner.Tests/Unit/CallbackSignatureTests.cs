using ExecutionPlanner.Server.Http;
using System.Text;
using ExecutionPlanner.Server.Jobs;
using ExecutionPlanner.Server.Jobs.Callbacks;
using ExecutionPlanner.Server.Persistence;

namespace ExecutionPlanner.Tests.Unit;

public sealed class CallbackSignatureTests
{
    [Test]
    public void The_signature_is_the_hex_HMAC_SHA256_of_the_body_RFC_4231_case_2()
    {
        var body = Encoding.ASCII.GetBytes("what do ya want for nothing?");
        Assert.That(CallbackSignature.Sign("Jefe", body), Is.EqualTo("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
        Assert.That(CallbackSignature.Verify("Jefe", body, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"), Is.True);
        Assert.That(CallbackSignature.Verify("Jefe", [.. body, (byte)' '], CallbackSignature.Sign("Jefe", body)), Is.False);
        Assert.That(CallbackSignature.Verify("Jefe", body, null), Is.False);
    }

    static CallbackOptions Allowing(params string[] hosts) => new() { AllowedCallbackHosts = [.. hosts], CallbackSigningKey = "0123456789abcdef" };

    static void Check(CallbackOptions o, params string[] urls) =>
        CallbackParameter.Check([new JobParameter("image", "x"), .. urls.Select(u => new JobParameter("callback", u))], o);

    [Test]
    public void A_callback_must_be_one_http_url_to_an_allowed_host()
    {
        var o = Allowing("hooks.example.org", "*.example.net", "127.0.0.1:9000");
        Assert.DoesNotThrow(() => Check(o));
        Assert.DoesNotThrow(() => Check(o, "https://hooks.example.org/uws?x=1"));
        Assert.DoesNotThrow(() => Check(o, "http://a.b.example.net/"));
        Assert.DoesNotThrow(() => Check(o, "http://127.0.0.1:9000/in"));
        foreach (var bad in new[] { "http://127.0.0.1:9001/in", "http://example.org/", "ftp://hooks.example.org/", "hooks.example.org/x", "" })
        {
            Assert.That(() => Check(o, bad), Throws.TypeOf<UwsRequestException>().With.Property("StatusCode").EqualTo(400), bad);
        }
        Assert.That(() => Check(o, "https://hooks.example.org/a", "https://hooks.example.org/b"), Throws.TypeOf<UwsRequestException>());
        Assert.That(() => Check(Allowing(), "https://hooks.example.org/a"),
            Throws.TypeOf<UwsRequestException>().With.Message.Contains("sends no callbacks"));
    }
}
