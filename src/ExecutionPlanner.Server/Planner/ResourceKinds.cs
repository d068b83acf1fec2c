using System.Text.RegularExpressions;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// The kind (or, in the older drafts, type) URIs of executables and resources, in every published
/// spelling: the 2021 note's <c>uri://docker-container</c>, the drafts' <c>uri:docker-container-0.1</c>,
/// <c>…/EB/schema/types/executables/docker-container-1.0</c>, <c>…/EB/schema/v1.0/types/executable/…</c>,
/// <c>…/types/resources/compute/simple-compute-resource-1.0</c> and today's Calycopis-openapi
/// <c>…/Calycopis-openapi/schema/v1.0/kinds/executable/docker-container.yaml</c>. A URI is known by its
/// last name, without a version suffix or a file extension: one rule instead of a list that the next
/// draft outgrows.
/// </summary>
public static partial class ResourceKinds
{
    /// <summary>What a kind URI names, after the folder, version and extension are taken away.</summary>
    public static string Name(string kind)
    {
        var s = kind.Trim();
        var cut = s.LastIndexOfAny(['/', ':']);
        s = cut >= 0 ? s[(cut + 1)..] : s;
        s = Extension().Replace(s, string.Empty);
        return Version().Replace(s, string.Empty).ToLowerInvariant();
    }

    public static bool IsDockerContainer(string kind) => Name(kind) is "docker-container" or "oci-container";

    public static bool IsCompute(string kind) => Name(kind) is "simple-compute-resource" or "simple-compute" or "generic-compute" or "compute";

    /// <summary>Scratch storage that lives as long as the job; persistent storage is not offered here.</summary>
    public static bool IsStorage(string kind) =>
        Name(kind) is "simple-storage-resource" or "simple-storage" or "ephemeral-storage" or "storage-type" or "storage";

    public static bool IsVolumeMount(string kind) => Name(kind) is "simple-volume-mount" or "filesystem-mount" or "file-mount" or "volume-mount";

    /// <summary>A data resource the server can fetch itself: a plain download location.</summary>
    public static bool IsSimpleData(string kind) =>
        Name(kind) is "simple-data-resource" or "simple-data" or "http-download" or "data-reference" or "data-file" or "param-file";

    public static bool IsIvoaData(string kind) => Name(kind) is "ivoa-data-resource";

    [GeneratedRegex(@"\.(ya?ml|json)$", RegexOptions.IgnoreCase)]
    private static partial Regex Extension();

    [GeneratedRegex(@"-\d+(\.\d+)*$")]
    private static partial Regex Version();
}
