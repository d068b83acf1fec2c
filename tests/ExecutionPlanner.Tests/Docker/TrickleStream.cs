namespace ExecutionPlanner.Tests.Docker;

/// <summary>
/// A read-only stream over fixed bytes that hands out 1 to 3 bytes per read, in a repeating pattern,
/// so every frame header and payload in a test arrives split across reads.
/// </summary>
internal sealed class TrickleStream(byte[] data) : Stream
{
    private static readonly int[] ChunkSizes = [1, 3, 2, 2, 1, 3];
    private int position;
    private int reads;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var chunk = Math.Min(Math.Min(ChunkSizes[reads++ % ChunkSizes.Length], buffer.Length), data.Length - position);
        data.AsSpan(position, chunk).CopyTo(buffer);
        position += chunk;
        return chunk;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
