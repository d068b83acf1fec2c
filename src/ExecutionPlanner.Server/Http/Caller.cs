namespace ExecutionPlanner.Server.Http;

/// <summary>The owner a request acts for. The anonymous owner is stored as the empty string.</summary>
public readonly record struct Caller(string OwnerId)
{
    public static readonly Caller Anonymous = new(string.Empty);

    public bool IsAnonymous => OwnerId.Length == 0;
}
