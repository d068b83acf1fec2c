using System.Buffers;
using Docker.DotNet;

namespace ExecutionPlanner.Docker;

/// <summary>
/// Copies the library's demultiplexed log stream to two targets, keeping the first bytes of each up to its
/// limit and counting the rest, so a runaway job cannot fill the disk. (The library's own CopyOutputToAsync
/// has no limits.)
/// </summary>
internal static class LimitedLogCopy
{
    private const int BufferLength = 81920;

    public static async Task<LogCopyResult> CopyAsync(
        MultiplexedStream source, Stream stdout, Stream stderr, LogByteLimits? limits, CancellationToken cancellationToken)
    {
        limits ??= LogByteLimits.None;
        var outSink = new LimitedSink(stdout, limits.Stdout);
        var errSink = new LimitedSink(stderr, limits.Stderr);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferLength);
        try
        {
            while (true)
            {
                MultiplexedStream.ReadResult read;
                try
                {
                    read = await source.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
                }
                catch (IOException ex) when (ex.Message.StartsWith("Unknown stream type: '3'", StringComparison.Ordinal))
                {
                    // A "system error" frame: the engine failed mid-stream. The library does not decode it.
                    throw new DockerLogStreamException("The Docker engine reported an error in the log stream.", ex);
                }
                if (read.EOF)
                {
                    break;
                }
                // moby's stdcopy sends stdin frames to stdout as well; they do not occur in logs anyway.
                var sink = read.Target == MultiplexedStream.TargetStream.StandardError ? errSink : outSink;
                await sink.WriteAsync(buffer.AsMemory(0, read.Count), cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new LogCopyResult(outSink.Written, errSink.Written, outSink.Dropped, errSink.Dropped);
    }

    private sealed class LimitedSink(Stream target, long? limit)
    {
        public long Written { get; private set; }

        public long Dropped { get; private set; }

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            var allowed = limit is { } max ? (int)Math.Min(data.Length, Math.Max(0, max - Written)) : data.Length;
            if (allowed > 0)
            {
                await target.WriteAsync(data[..allowed], cancellationToken);
                Written += allowed;
            }
            Dropped += data.Length - allowed;
        }
    }
}
