using System.Globalization;

namespace ExecutionPlanner.Server.Execution;

/// <summary>
/// Resolves a user spec (<c>name</c>, <c>uid</c>, <c>name:group</c>, <c>uid:gid</c>…) to numeric ids the way the
/// engine does, from the image's own /etc/passwd and /etc/group texts. Pure: the files are read elsewhere.
/// </summary>
public static class PasswdLookup
{
    /// <summary>The ids, or null with the reason when the image's files do not name the user or group.</summary>
    public static (int Uid, int Gid)? Resolve(string user, string? passwd, string? group, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(user);
        problem = null;
        var parts = user.Split(':', 2);
        var userPart = parts[0].Trim();
        var groupPart = parts.Length > 1 ? parts[1].Trim() : null;

        int uid;
        int? primaryGid = null;
        var entry = Entries(passwd).FirstOrDefault(e => e[0] == userPart || (IsId(userPart, out var n) && Id(e, 2) == n));
        if (IsId(userPart, out var numeric))
        {
            uid = numeric;
        }
        else if (entry is not null && Id(entry, 2) is { } found)
        {
            uid = found;
        }
        else
        {
            problem = passwd is null
                ? $"the image has no /etc/passwd to look up its user '{userPart}'"
                : $"the image's /etc/passwd has no user '{userPart}'";
            return null;
        }
        if (entry is not null)
        {
            primaryGid = Id(entry, 3);
        }

        if (groupPart is null or "")
        {
            return (uid, primaryGid ?? uid);
        }
        if (IsId(groupPart, out var gid))
        {
            return (uid, gid);
        }
        if (Entries(group).FirstOrDefault(e => e[0] == groupPart) is { } g && Id(g, 2) is { } named)
        {
            return (uid, named);
        }
        problem = $"the image's /etc/group has no group '{groupPart}'";
        return null;
    }

    static IEnumerable<string[]> Entries(string? file) =>
        (file ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split(':'));

    static int? Id(string[] entry, int field) => entry.Length > field && IsId(entry[field], out var id) ? id : null;

    static bool IsId(string text, out int id) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id);
}
