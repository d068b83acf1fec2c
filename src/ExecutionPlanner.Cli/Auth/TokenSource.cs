using System.Text.Json;
using System.Text.Json.Nodes;

namespace ExecutionPlanner.Cli.Auth;

/// <summary>
/// Where a bearer token for a service comes from, first found wins: the --token option, the EP_TOKEN
/// environment variable, then the config file (EP_CONFIG, else $XDG_CONFIG_HOME/ep/config.json, else
/// ~/.config/ep/config.json): <c>{"tokens": {"https://host/prefix": "..."}, "token": "..."}</c>, where the
/// longest URL prefix matching the service wins over the default "token". A token is only ever put in an
/// Authorization header: never printed, and cut out of any message a service sends back.
/// </summary>
internal sealed class TokenSource
{
    readonly string? option;
    readonly string? environment;
    readonly string? configDefault;
    readonly IReadOnlyList<KeyValuePair<string, string>> configByPrefix;

    TokenSource(string? option, string? environment, string? configDefault, IReadOnlyList<KeyValuePair<string, string>> configByPrefix)
    {
        this.option = option;
        this.environment = environment;
        this.configDefault = configDefault;
        this.configByPrefix = configByPrefix;
    }

    public static TokenSource Load(string? option, Func<string, string?> env)
    {
        var path = ConfigPath(env);
        string? fallback = null;
        var prefixes = new List<KeyValuePair<string, string>>();
        if (path is not null && File.Exists(path))
        {
            JsonNode? config;
            try
            {
                config = JsonNode.Parse(File.ReadAllText(path));
            }
            catch (JsonException ex)
            {
                throw new CliException($"The config file {path} is not valid JSON: {ex.Message}", ExitCodes.Usage);
            }
            fallback = (config?["token"] as JsonValue)?.GetValue<string>();
            if (config?["tokens"] is JsonObject byPrefix)
            {
                foreach (var (prefix, value) in byPrefix)
                {
                    if (value is JsonValue v && v.TryGetValue<string>(out var token))
                    {
                        prefixes.Add(KeyValuePair.Create(prefix, token));
                    }
                }
            }
        }
        prefixes.Sort((a, b) => b.Key.Length.CompareTo(a.Key.Length));
        return new TokenSource(Blank(option), Blank(env("EP_TOKEN")), Blank(fallback), prefixes);
    }

    /// <summary>The token to send to this URL, or null for none.</summary>
    public string? For(Uri url)
    {
        if (option is not null)
        {
            return option;
        }
        if (environment is not null)
        {
            return environment;
        }
        var text = url.AbsoluteUri;
        foreach (var (prefix, token) in configByPrefix)
        {
            if (text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return token;
            }
        }
        return configDefault;
    }

    /// <summary>A service's own words with any token we hold replaced, so that an echo never reaches the screen.</summary>
    public string Redact(string text)
    {
        foreach (var token in All())
        {
            text = text.Replace(token, "***", StringComparison.Ordinal);
        }
        return text;
    }

    IEnumerable<string> All()
    {
        if (option is not null)
        {
            yield return option;
        }
        if (environment is not null)
        {
            yield return environment;
        }
        if (configDefault is not null)
        {
            yield return configDefault;
        }
        foreach (var (_, token) in configByPrefix)
        {
            yield return token;
        }
    }

    static string? ConfigPath(Func<string, string?> env)
    {
        if (Blank(env("EP_CONFIG")) is { } explicitPath)
        {
            return explicitPath;
        }
        if (Blank(env("XDG_CONFIG_HOME")) is { } xdg)
        {
            return Path.Combine(xdg, "ep", "config.json");
        }
        return Blank(env("HOME")) is { } home ? Path.Combine(home, ".config", "ep", "config.json") : null;
    }

    static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
