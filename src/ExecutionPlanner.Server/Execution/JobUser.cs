using System.Globalization;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// Who a job's container runs as: <see cref="User"/> as the engine takes it, and the numeric ids that own the
/// job's folders (/uws/inputs, /uws/results, /tmp) so that user can write them whatever the image holds there.
/// <see cref="IsServiceDefault"/>: the image named no unprivileged user, so Execution:User was chosen.
/// </summary>
public sealed record JobUser(string User, int Uid, int Gid, bool IsServiceDefault)
{
    /// <summary>
    /// The rule (README, "How jobs are isolated"): the operator's override for the image if any; else the image's
    /// own USER when it is not root; else the service's user (Execution:User). True when the last was chosen.
    /// </summary>
    public static (string User, bool IsServiceDefault) Choose(string? overrideUser, string? imageUser, string serviceUser) =>
        overrideUser is not null ? (overrideUser, false)
        : MeansRoot(imageUser) ? (serviceUser, true)
        : (imageUser!.Trim(), false);

    /// <summary>
    /// Whether an image's USER asks for root (or nothing): then the service's own unprivileged user is used.
    /// </summary>
    public static bool MeansRoot(string? user) =>
        string.IsNullOrWhiteSpace(user) || user.Split(':')[0].Trim() is "0" or "root" or "";

    /// <summary>Parses <c>uid</c> or <c>uid:gid</c> (numbers only); a missing gid is the uid.</summary>
    public static bool TryParseNumeric(string? user, out int uid, out int gid)
    {
        uid = gid = 0;
        if (string.IsNullOrWhiteSpace(user))
        {
            return false;
        }
        var parts = user.Split(':');
        if (parts.Length > 2 || !TryParseId(parts[0], out uid))
        {
            return false;
        }
        gid = uid;
        return parts.Length == 1 || TryParseId(parts[1], out gid);
    }

    static bool TryParseId(string text, out int id) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id);
}
