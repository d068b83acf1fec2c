using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;

namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// The official schemas from ../shared/schemas (beside the repository; never copied into it).
/// EP_SHARED_DIR overrides where shared/ is.
/// </summary>
public static class SharedSchemas
{
    static readonly Lazy<string> SharedDir = new(FindShared);
    static readonly Lazy<XmlSchemaSet> Uws = new(() => Load("schemas/uws/UWS.xsd"));
    static readonly Lazy<XmlSchemaSet> Vosi = new(() => Load("schemas/vosi/VOSIAvailability-v1.0.xsd", "schemas/vosi/VOSICapabilities-v1.0.xsd"));

    public static string Path(string relative) => System.IO.Path.Combine(SharedDir.Value, relative);

    /// <summary>Validates against UWS.xsd; fails the test with every schema error found.</summary>
    public static void AssertValidUws(XDocument document) => AssertValid(document, Uws.Value);

    public static void AssertValidVosi(XDocument document) => AssertValid(document, Vosi.Value);

    static void AssertValid(XDocument document, XmlSchemaSet schemas)
    {
        var errors = new List<string>();
        document.Validate(schemas, (_, e) => errors.Add($"{e.Severity}: {e.Message}"));
        Assert.That(errors, Is.Empty, () => $"Schema errors in:\n{document}");
    }

    static XmlSchemaSet Load(params string[] files)
    {
        var set = new XmlSchemaSet { XmlResolver = new XmlUrlResolver() };
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = new XmlUrlResolver() };
        foreach (var file in files)
        {
            using var reader = XmlReader.Create(Path(file), settings);
            set.Add(null, reader);
        }
        set.Compile();
        return set;
    }

    static string FindShared()
    {
        if (Environment.GetEnvironmentVariable("EP_SHARED_DIR") is { Length: > 0 } configured)
        {
            return configured;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared");
            if (File.Exists(System.IO.Path.Combine(candidate, "schemas", "uws", "UWS.xsd")))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException("shared/schemas/uws/UWS.xsd was not found beside the repository; set EP_SHARED_DIR.");
    }
}
