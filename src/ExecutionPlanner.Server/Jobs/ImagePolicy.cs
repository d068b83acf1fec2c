using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>The operator's allowed-image patterns ("executionplanner/*", "docker.io/library/python:3.*").</summary>
public sealed partial class ImagePolicy
{
    // One policy per options instance: IOptionsMonitor hands out the same JobsOptions object until the
    // configuration changes, so the Regexes are compiled once per configuration, not once per request.
    // Weak keys let a replaced configuration's policy be collected with it.
    static readonly ConditionalWeakTable<JobsOptions, ImagePolicy> PerOptions = new();

    readonly Regex[] allowed;

    /// <summary>The policy of these options, built on first use.</summary>
    public static ImagePolicy For(JobsOptions options) =>
        PerOptions.GetValue(options, o => new ImagePolicy(o.EffectiveAllowedImages));

    public ImagePolicy(IEnumerable<string> patterns) =>
        allowed = patterns.Select(p => new Regex(
            "^" + Regex.Escape(p.Trim()).Replace("\\*", ".*", StringComparison.Ordinal) + "\\z",
            RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100))).ToArray();

    public bool Allows(string image) => IsWellFormed(image) && allowed.Any(r => r.IsMatch(image));

    /// <summary>A Docker image reference in its usual spelling: registry/name:tag or name@sha256:digest.</summary>
    public static bool IsWellFormed(string image) => ImageReference().IsMatch(image);

    [GeneratedRegex("^[a-z0-9][a-z0-9._/-]{0,254}(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?\\z",
        RegexOptions.CultureInvariant)]
    private static partial Regex ImageReference();
}
