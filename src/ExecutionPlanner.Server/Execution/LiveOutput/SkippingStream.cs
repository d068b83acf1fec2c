namespace ExecutionPlanner.Server.Execution.LiveOutput;

/// <summary>Writes through to <paramref name="target"/> all but the first <paramref name="skip"/> bytes (a second read of logs, minus what the first had).</summary>
public sealed class SkippingStream(Stream target, long skip) : Stream
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

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
