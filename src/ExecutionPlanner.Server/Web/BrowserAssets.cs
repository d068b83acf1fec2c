using ExecutionPlanner.Server.Http;
using System.Collections.Frozen;
using System.Security.Cryptography;

namespace ExecutionPlanner.Server.Web;

/// <summary>The browser view's stylesheet and scripts, embedded in the assembly (Web/Assets) and served from here only.</summary>
public static class BrowserAssets
{
    sealed record Asset(byte[] Content, string ContentType, string ETag);

    static readonly FrozenDictionary<string, Asset> Assets = Load();

    public static IResult Get(string name, HttpContext http)
    {
        if (!Assets.TryGetValue(name, out var asset))
        {
            return Http.PlainText.Error(StatusCodes.Status404NotFound, $"There is no asset '{name}'.");
        }
        http.Response.Headers.ETag = asset.ETag;
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return http.Request.Headers.IfNoneMatch == asset.ETag
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Bytes(asset.Content, asset.ContentType);
    }

    static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(BrowserAssets).Assembly;
        const string prefix = "web/";
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var name = resource[prefix.Length..];
            var type = Path.GetExtension(name) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                _ => "application/octet-stream",
            };
            assets[name] = new Asset(content, type, $"\"{Convert.ToHexString(SHA256.HashData(content))[..16]}\"");
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
