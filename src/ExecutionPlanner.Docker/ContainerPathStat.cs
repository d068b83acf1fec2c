using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExecutionPlanner.Docker;

/// <summary>
/// What the engine says of a path in a container (<c>X-Docker-Container-Path-Stat</c>). <see cref="ModifiedAt"/>
/// is kept as the engine wrote it (RFC 3339 with nanoseconds): two stats of one path are compared exactly.
/// </summary>
public sealed record ContainerPathStat(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("mode")] uint Mode,
    [property: JsonPropertyName("mtime")] string ModifiedAt,
    [property: JsonPropertyName("linkTarget")] string? LinkTarget)
{
    /// <summary>Go's os.ModeDir bit, as the engine encodes the file mode.</summary>
    const uint GoModeDir = 1u << 31;

    public bool IsDirectory => (Mode & GoModeDir) != 0;

    /// <summary>Decodes the header's base64 JSON; a malformed header is the engine's fault, reported as such.</summary>
    public static ContainerPathStat FromHeader(string base64Json)
    {
        try
        {
            return JsonSerializer.Deserialize<ContainerPathStat>(Encoding.UTF8.GetString(Convert.FromBase64String(base64Json)))
                ?? throw new DockerApiException("Docker archive stat: the engine's path stat header was empty.");
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            throw new DockerApiException($"Docker archive stat: the engine's path stat header was unreadable: {ex.Message}", ex);
        }
    }
}
