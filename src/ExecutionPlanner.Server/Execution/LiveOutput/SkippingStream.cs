namespace ExecutionPlanner.Server.Execution.LiveOutput;

/// <summary>Writes through to <paramref name="target"/> all but the first <paramref name="skip"/> bytes (a second read of logs, minus what the first had).</summary>
public sealed class SkippingStream(Stream target, long skip) : WriteOnlyStream
{
    long toSkip = skip;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (toSkip > 0)
        {
            var skipped = (int)Math.Min(toSkip, buffer.Length);
            toSkip -= skipped;
            buffer = buffer[skipped..];
        }
        if (buffer.Length > 0)
        {
            target.Write(buffer);
        }
    }
}
