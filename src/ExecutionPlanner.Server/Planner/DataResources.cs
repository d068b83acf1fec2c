using ExecutionPlanner.Server.Http;
using System.Text.Json;
using System.Text.RegularExpressions;
using ExecutionPlanner.Server.Jobs;
using static ExecutionPlanner.Server.Planner.RequestValues;

namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// The data a task needs, in every form the drafts use: a URL; a simple data resource (<c>location</c>);
/// the 2021 note's <c>location: {type, url}</c>; an IVOA resource (ivoid, ObsCore or DataLink row), an
/// S3, Rucio or SKAO resource. The server stages http(s) URLs itself (into /uws/inputs/&lt;name&gt;);
/// the others are read and answered NO with a reason that names them.
/// </summary>
public static partial class DataResources
{
    public static (List<string> Urls, List<DataInput> Inputs) Read(JsonElement parent, string name, string path, List<Reason> refusals)
    {
        var urls = new List<string>();
        var inputs = new List<DataInput>();
        if (Member(parent, name) is not { } list)
        {
            return (urls, inputs);
        }
        var items = list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().ToList()
            : list.ValueKind is JsonValueKind.Object or JsonValueKind.String ? [list]
            : throw UwsRequestException.BadRequest($"{path} must be a list of URLs or data resources.");
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = list.ValueKind == JsonValueKind.Array ? $"{path}/{i}" : path;
            if (ReadOne(items[i], itemPath, refusals) is not { } found)
            {
                continue;
            }
            urls.Add(found.Url);
            inputs.Add(new DataInput(UniqueName(found.Name ?? NameFromUrl(found.Url), inputs, i), found.Url, itemPath, found.Reference));
        }
        return (urls, inputs);
    }

    sealed record Found(string Url, string? Name, string? Reference);

    static Found? ReadOne(JsonElement item, string path, List<Reason> refusals)
    {
        if (item.ValueKind == JsonValueKind.String)
        {
            return Url(item.GetString()!, path, null, refusals);
        }
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw UwsRequestException.BadRequest($"{path} must be a URL or a data resource object.");
        }
        var (kind, kindPath) = Kind(item, path);
        var name = ComponentName(item, path);
        var uuid = StringOf(item, "uuid", $"{path}/uuid") ?? (ObjectOf(item, "meta", $"{path}/meta") is { } meta ? StringOf(meta, "uuid", $"{path}/meta/uuid") : null);
        name ??= uuid;
        var label = name is null ? string.Empty : $" '{name}'";
        if (kind is null || ResourceKinds.IsSimpleData(kind))
        {
            var location = Member(item, "location") is { ValueKind: JsonValueKind.Object } loc
                ? StringOf(loc, "url", $"{path}/location/url") ?? StringOf(loc, "location", $"{path}/location/location")
                : StringOf(item, "location", $"{path}/location") ?? StringOf(item, "url", $"{path}/url");
            if (location is null)
            {
                refusals.Add(new Reason(path, $"The data resource{label} gives no location: this service fetches data from an http(s) URL in location."));
                return null;
            }
            return Url(location, $"{path}/location", name, refusals) is { } f ? f with { Reference = uuid ?? name } : null;
        }
        var kindName = ResourceKinds.Name(kind);
        if (ResourceKinds.IsIvoaData(kind) || kindName == "skao-data-resource")
        {
            var ivoa = ObjectOf(item, "ivoa", $"{path}/ivoa");
            var access = ivoa is { } v
                ? (ObjectOf(v, "obscore", $"{path}/ivoa/obscore") is { } obscore ? StringOf(obscore, "access_url", $"{path}/ivoa/obscore/access_url") : null)
                  ?? (ObjectOf(v, "datalink", $"{path}/ivoa/datalink") is { } datalink ? StringOf(datalink, "access_url", $"{path}/ivoa/datalink/access_url") : null)
                : null;
            if (access is not null)
            {
                return Url(access, $"{path}/ivoa", name, refusals) is { } f ? f with { Reference = uuid ?? name } : null;
            }
        }
        var what = kindName switch
        {
            "s3-data-resource" or "amazon-s3-data-resource" or "amazon-s3-storage" => "an S3 data resource",
            "rucio-data-resource" or "rucio-storage" => "a Rucio data resource",
            "skao-data-resource" => "an SKAO data-lake resource without an access URL",
            "ivoa-data-resource" => "an IVOA data resource given only by its ivoid (no ObsCore or DataLink access_url)",
            _ => $"a data resource of kind '{kind}'",
        };
        refusals.Add(new Reason(kindPath, $"The data resource{label} is {what}; this service can stage only data at http(s) URLs."));
        return null;
    }

    static Found? Url(string text, string path, string? name, List<Reason> refusals)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri))
        {
            throw UwsRequestException.BadRequest($"{path} '{text}' is not an absolute URL.");
        }
        if (uri.Scheme is not ("http" or "https"))
        {
            refusals.Add(new Reason(path, $"The data at '{uri}' is reached by {uri.Scheme}:, which this service cannot stage; it fetches http(s) URLs only."));
            return null;
        }
        return new Found(uri.ToString(), name is null ? null : Sanitise(name), name);
    }

    static string NameFromUrl(string url) => Sanitise(Uri.UnescapeDataString(new Uri(url).Segments[^1].Trim('/')));

    /// <summary>A plain file name for /uws/inputs (1-128 of A-Z a-z 0-9 . _ -, not starting with '.').</summary>
    static string Sanitise(string name)
    {
        var s = Unsafe().Replace(name, "_").TrimStart('.');
        return s.Length > 120 ? s[..120] : s;
    }

    static string UniqueName(string name, List<DataInput> taken, int index)
    {
        var baseName = name.Length == 0 || JobParameterContract.Names.Contains(name.ToLowerInvariant()) ? $"data-{index}" : name;
        var candidate = baseName;
        for (var n = 2; taken.Any(t => t.Name == candidate); n++)
        {
            candidate = $"{baseName}-{n}";
        }
        return candidate;
    }

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex Unsafe();
}
