using System.Text;

namespace ExecutionPlanner.Server.Execution.LiveOutput;

/// <summary>
/// One output stream of a running container as the log follow writes it: keeps the last <c>tailBytes</c> bytes
/// (what GET …/results/stdout shows while the job runs) and splits the bytes into lines to publish. Bounded
/// whatever the container prints: lines are cut at <see cref="MaxLineChars"/>, at most <see cref="MaxPendingLines"/>
/// wait between two publications (the rest are only counted), and a line that never ends is published in pieces.
/// Written by the follow, read by the publisher: every member locks.
/// </summary>
public sealed class OutputLineStream(int tailBytes) : WriteOnlyStream
{
    public const int MaxLineChars = 1000;
    public const int MaxPendingLines = 2000;

    /// <summary>Bytes of an unterminated line held before it is published anyway.</summary>
    const int MaxPartialBytes = 4096;

    static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    readonly Lock gate = new();
    readonly byte[] tail = new byte[tailBytes];
    readonly MemoryStream partial = new();
    int tailLength;
    long total;
    long published = -1;
    List<string> pending = [];
    long skipped;

    public long TotalBytes
    {
        get
        {
            lock (gate)
            {
                return total;
            }
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (gate)
        {
            total += buffer.Length;
            AppendTail(buffer);
            while (buffer.Length > 0)
            {
                var newline = buffer.IndexOf((byte)'\n');
                if (newline < 0)
                {
                    var room = MaxPartialBytes - (int)partial.Length;
                    partial.Write(buffer[..Math.Min(room, buffer.Length)]);
                    if (buffer.Length >= room)
                    {
                        EndLine();
                        buffer = buffer[room..];
                        continue;
                    }
                    return;
                }
                partial.Write(buffer[..newline]);
                EndLine();
                buffer = buffer[(newline + 1)..];
            }
        }
    }

    /// <summary>The lines written since the last call, and how many were dropped beyond <see cref="MaxPendingLines"/>.</summary>
    public (List<string> Lines, long Skipped) TakeLines(bool includePartial)
    {
        lock (gate)
        {
            if (includePartial && partial.Length > 0)
            {
                EndLine();
            }
            var taken = (pending, skipped);
            pending = [];
            skipped = 0;
            return taken;
        }
    }

    /// <summary>
    /// The tail to store, starting at a line start when the output was cut, and the total size; null when
    /// nothing was written since the last call.
    /// </summary>
    public (byte[] Content, long Total)? TakeTail()
    {
        lock (gate)
        {
            if (published == total)
            {
                return null;
            }
            published = total;
            var content = tail.AsSpan(0, tailLength);
            if (total > tailLength && content.IndexOf((byte)'\n') is var nl and >= 0)
            {
                content = content[(nl + 1)..];
            }
            return (content.ToArray(), total);
        }
    }

    void AppendTail(ReadOnlySpan<byte> data)
    {
        if (data.Length >= tail.Length)
        {
            data[^tail.Length..].CopyTo(tail);
            tailLength = tail.Length;
            return;
        }
        var overflow = tailLength + data.Length - tail.Length;
        if (overflow > 0)
        {
            Buffer.BlockCopy(tail, overflow, tail, 0, tailLength - overflow);
            tailLength -= overflow;
        }
        data.CopyTo(tail.AsSpan(tailLength));
        tailLength += data.Length;
    }

    void EndLine()
    {
        var line = Utf8.GetString(partial.GetBuffer(), 0, (int)partial.Length);
        partial.SetLength(0);
        if (line.EndsWith('\r'))
        {
            line = line[..^1];
        }
        if (line.Length > MaxLineChars)
        {
            line = line[..MaxLineChars];
        }
        if (pending.Count < MaxPendingLines)
        {
            pending.Add(line);
        }
        else
        {
            skipped++;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            partial.Dispose();
        }
        base.Dispose(disposing);
    }
}
