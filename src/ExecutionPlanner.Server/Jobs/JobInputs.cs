using ExecutionPlanner.Server.Http;
using ExecutionPlanner.Server.Persistence;

namespace ExecutionPlanner.Server.Jobs;

/// <summary>An uploaded file, read into memory (bounded by Jobs:MaxUploadBytes for the whole request).</summary>
public sealed record JobInput(string Name, string MimeType, byte[] Content)
{
    public JobFileEntity ToEntity(string jobId) => new()
    {
        JobId = jobId,
        Kind = JobFileKind.Input,
        Name = Name,
        MimeType = MimeType,
        Size = Content.LongLength,
        Content = Content,
    };
}

public static class JobInputs
{
    /// <summary>Each multipart file part becomes an input named by its form field; a name used twice is refused.</summary>
    public static Task<List<JobInput>> ReadAsync(IReadOnlyList<IFormFile> files, CancellationToken ct) =>
        ReadAsync(files, file => file.Name, ct);

    /// <summary>The same, with the input's name taken from the part by <paramref name="nameOf"/> (the browser form uses the file name).</summary>
    public static async Task<List<JobInput>> ReadAsync(IReadOnlyList<IFormFile> files, Func<IFormFile, string> nameOf, CancellationToken ct)
    {
        var inputs = new List<JobInput>(files.Count);
        foreach (var file in files)
        {
            var name = nameOf(file);
            JobParameterContract.CheckInputName(name);
            if (inputs.Any(i => i.Name == name))
            {
                throw UwsRequestException.BadRequest($"The file '{name}' was uploaded twice.");
            }
            using var content = new MemoryStream((int)file.Length);
            await file.CopyToAsync(content, ct);
            var mime = string.IsNullOrWhiteSpace(file.ContentType) ? JobFileResult.DefaultMimeType : file.ContentType.Trim();
            if (!JobFileResult.IsServableMimeType(mime))
            {
                throw UwsRequestException.BadRequest(
                    $"The Content-Type of the uploaded file '{name}' is not a media type such as text/csv; " +
                    "it is served back as the file's Content-Type, so it must be printable ASCII (RFC 9110 §8.3).");
            }
            inputs.Add(new JobInput(name, mime, content.ToArray()));
        }
        return inputs;
    }
}
