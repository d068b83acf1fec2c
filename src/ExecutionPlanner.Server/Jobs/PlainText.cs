namespace ExecutionPlanner.Server.Jobs;

/// <summary>Plain-text answers: the bare atomic values of UWS (no trailing newline) and error messages.</summary>
public static class PlainText
{
    public static ContentHttpResult Value(string value) => TypedResults.Text(value, "text/plain; charset=utf-8");

    public static ContentHttpResult Error(int statusCode, string message) =>
        TypedResults.Text(message, "text/plain; charset=utf-8", statusCode: statusCode);
}
