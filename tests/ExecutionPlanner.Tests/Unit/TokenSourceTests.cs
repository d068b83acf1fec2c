using ExecutionPlanner.Cli.Auth;

namespace ExecutionPlanner.Tests.Unit;

/// <summary>Where tokens come from. (Reads a config file the test writes in a temp folder: the file is the input.)</summary>
public sealed class TokenSourceTests
{
    [Test]
    public void The_option_wins_over_the_environment_which_wins_over_the_config_file()
    {
        var config = WriteConfig("""{"token": "from-config", "tokens": {"http://a.example/": "for-a"}}""");
        try
        {
            var env = new Dictionary<string, string?> { ["EP_CONFIG"] = config, ["EP_TOKEN"] = "from-env" };
            var url = new Uri("http://a.example/jobs");
            Assert.That(TokenSource.Load("from-option", n => env.GetValueOrDefault(n)).For(url), Is.EqualTo("from-option"));
            Assert.That(TokenSource.Load(null, n => env.GetValueOrDefault(n)).For(url), Is.EqualTo("from-env"));
            env.Remove("EP_TOKEN");
            var fromFile = TokenSource.Load(null, n => env.GetValueOrDefault(n));
            Assert.That(fromFile.For(url), Is.EqualTo("for-a"), "the longest matching URL prefix");
            Assert.That(fromFile.For(new Uri("http://b.example/jobs")), Is.EqualTo("from-config"), "the default");
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Test]
    public void Redact_cuts_every_known_token_out_of_a_service_message()
    {
        var tokens = TokenSource.Load("s3cret-token", _ => null);
        Assert.That(tokens.Redact("unknown token s3cret-token for /jobs"), Is.EqualTo("unknown token *** for /jobs"));
    }

    [Test]
    public void A_config_file_that_is_not_JSON_is_a_usage_error_naming_it()
    {
        var config = WriteConfig("token: yaml-is-not-json");
        try
        {
            var ex = Assert.Throws<ExecutionPlanner.Cli.CliException>(() => TokenSource.Load(null, n => n == "EP_CONFIG" ? config : null));
            Assert.That(ex!.Message, Does.Contain(config));
        }
        finally
        {
            File.Delete(config);
        }
    }

    static string WriteConfig(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ep-config-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, text);
        return path;
    }
}
