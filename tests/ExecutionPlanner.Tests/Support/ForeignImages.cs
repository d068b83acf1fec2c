using System.Diagnostics;
using System.Formats.Tar;
using System.Text;

namespace ExecutionPlanner.Tests.Support;

/// <summary>
/// Images that look like what users bring, built here without a registry: a root file system made of the host's
/// statically linked busybox (deploy/images/build-job-images.sh installs it), shaped per case, tarred in memory
/// and `docker import`ed. None of them was prepared for this service: no /uws at all, root-owned folders with
/// files in them, a file and a symlink where the folders should be, their own USER, ENTRYPOINT and WORKDIR.
/// </summary>
public static class ForeignImages
{
    public const string NoUws = "ep-foreign/no-uws:1";
    public const string RootOwnedUws = "ep-foreign/root-owned-uws:1";
    public const string OddUws = "ep-foreign/odd-uws:1";
    public const string User1000 = "ep-foreign/user-1000:1";
    public const string NamedUser = "ep-foreign/named-user:1";
    public const string WrappingEntrypoint = "ep-foreign/entrypoint:1";

    public static readonly IReadOnlyList<string> All = [NoUws, RootOwnedUws, OddUws, User1000, NamedUser, WrappingEntrypoint];

    const string Busybox = "/bin/busybox";
    static readonly SemaphoreSlim Once = new(1, 1);
    static bool built;

    /// <summary>Builds every image once per test run (an import of a 2 MB tar takes well under a second).</summary>
    public static async Task BuildAllAsync()
    {
        await Once.WaitAsync();
        try
        {
            if (built)
            {
                return;
            }
            if (!System.IO.File.Exists(Busybox))
            {
                RequiredServices.Missing($"a static busybox at {Busybox} (Debian's busybox-static)");
            }
            // No /uws; /tmp root-owned 0755 as in many images; no /etc/passwd at all.
            await ImportAsync(NoUws, _ => { }, tmpMode: Mode(755), withPasswd: false);
            // Root-owned /uws folders that already hold files.
            await ImportAsync(RootOwnedUws, w =>
            {
                Dir(w, "uws", 755);
                Dir(w, "uws/results", 755);
                Dir(w, "uws/inputs", 755);
                File(w, "uws/results/shipped.txt", "shipped with the image\n", 644);
                File(w, "uws/inputs/in.txt", "the image's own in.txt\n", 644);
            });
            // A regular file where results/ should be, and inputs/ a symlink into /etc.
            await ImportAsync(OddUws, w =>
            {
                Dir(w, "uws", 755);
                File(w, "uws/results", "not a folder\n", 644);
                w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "uws/inputs") { LinkName = "/etc", Mode = Mode(777) });
            });
            await ImportAsync(User1000, _ => { }, changes: ["USER 1000"]);
            await ImportAsync(NamedUser, _ => { }, changes: ["USER astro"], extraPasswd: "astro:x:1234:1234:Astronomer:/home/astro:/bin/sh\n");
            // An ENTRYPOINT that wraps the command, in a WORKDIR of its own.
            await ImportAsync(WrappingEntrypoint, w =>
            {
                Dir(w, "opt", 755);
                Dir(w, "opt/tool", 755);
                File(w, "opt/tool/entry.sh", "#!/bin/sh\necho wrapped-by-entrypoint\nexec \"$@\"\n", 755);
            }, changes: ["ENTRYPOINT [\"/bin/sh\", \"/opt/tool/entry.sh\"]", "WORKDIR /opt/tool"]);
            built = true;
        }
        finally
        {
            Once.Release();
        }
    }

    static async Task ImportAsync(
        string tag, Action<TarWriter> shape, UnixFileMode? tmpMode = null, bool withPasswd = true, string extraPasswd = "",
        IReadOnlyList<string>? changes = null)
    {
        using var tar = new MemoryStream();
        using (var w = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            Dir(w, "bin", 755);
            Dir(w, "etc", 755);
            Dir(w, "dev", 755);
            Dir(w, "proc", 755);
            Dir(w, "sys", 755);
            w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "tmp/") { Mode = tmpMode ?? Mode(1777) });
            var busybox = new PaxTarEntry(TarEntryType.RegularFile, "bin/busybox") { Mode = Mode(755) };
            await using (var content = System.IO.File.OpenRead(Busybox))
            {
                busybox.DataStream = content;
                w.WriteEntry(busybox);
            }
            foreach (var applet in await AppletsAsync())
            {
                w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox", Mode = Mode(777) });
            }
            if (withPasswd)
            {
                File(w, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n" + extraPasswd, 644);
                File(w, "etc/group", "root:x:0:\n", 644);
            }
            shape(w);
        }
        tar.Position = 0;
        var args = new List<string> { "import" };
        foreach (var change in (changes ?? []).Append("ENV PATH=/bin"))
        {
            args.Add("--change");
            args.Add(change);
        }
        args.AddRange(["-", tag]);
        await DockerCliAsync(args, tar);
    }

    static async Task<IReadOnlyList<string>> AppletsAsync()
    {
        var list = new ProcessStartInfo(Busybox, "--list") { RedirectStandardOutput = true };
        using var process = Process.Start(list)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(a => a != "busybox").ToList();
    }

    static async Task DockerCliAsync(IReadOnlyList<string> args, Stream stdin)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        await stdin.CopyToAsync(process.StandardInput.BaseStream);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"docker {string.Join(' ', args)} failed: {await error}{await output}");
        }
    }

    static void Dir(TarWriter w, string name, int mode) =>
        w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name + "/") { Mode = Mode(mode) });

    static void File(TarWriter w, string name, string content, int mode) =>
        w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = Mode(mode),
            DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
        });

    /// <summary>A mode written as its octal digits (755 means rwxr-xr-x).</summary>
    static UnixFileMode Mode(int octalDigits) =>
        (UnixFileMode)Convert.ToInt32(octalDigits.ToString(System.Globalization.CultureInfo.InvariantCulture), 8);
}
