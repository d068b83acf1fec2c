namespace ExecutionPlanner.Server.Planner;

/// <summary>
/// The kind URIs of today's Calycopis-openapi (schema/v1.0/kinds/...), written in answers on its routes
/// so that its generated clients find the discriminators they know.
/// </summary>
public static class CalycopisKinds
{
    const string Kinds = "https://www.purl.org/ivoa.net/Calycopis-openapi/schema/v1.0/kinds";

    public const string DockerContainer = Kinds + "/executable/docker-container.yaml";
    public const string Compute = Kinds + "/compute/simple-compute-resource.yaml";
    public const string Storage = Kinds + "/storage/simple-storage-resource.yaml";
    public const string SimpleData = Kinds + "/data/simple-data-resource.yaml";
    public const string SimpleSession = Kinds + "/session/simple-execution-session.yaml";
}
