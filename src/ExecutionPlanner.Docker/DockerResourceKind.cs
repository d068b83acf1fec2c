namespace ExecutionPlanner.Docker;

/// <summary>The resource a call addresses, used to map a 404 to the specific exception.</summary>
public enum DockerResourceKind
{
    None = 0,
    Image,
    Container,
}
