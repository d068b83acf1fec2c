using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace ExecutionPlanner.Docker;

/// <summary>
/// Decodes the engine's multiplexed stream format (logs and attach of containers created without a TTY):
/// frames of an 8-byte header [stream type, 0, 0, 0, big-endian uint32 length] followed by the payload.
/// </summary>
public static class DockerLogDemultiplexer
{
    private const int HeaderLength = 8;
    private const int BufferLength = 81920;

    // A system-error frame carries a short daemon message; anything bigger is not one.
    private const int MaxSystemErrorLength = 64 * 1024;

    private const byte StdinStream = 0;
    private const byte StdoutStream = 1;
    private const byte StderrStream = 2;
    private const byte SystemErrorStream = 3;

    /// <summary>
    /// Copies every frame of <paramref name="source"/> to <paramref name="stdout"/> or <paramref name="stderr"/>
    /// until the end of the source. Throws <see cref="EndOfStreamException"/> when the source ends inside a frame,
    /// <see cref="InvalidDataException"/> for an unknown stream type or malformed header, and
    /// <see cref="DockerLogStreamException"/> when the engine reports an error frame.
    /// </summary>
    public static async Task<LogCopyResult> CopyAsync(
        Stream source, Stream stdout, Stream stderr, LogByteLimits? limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        limits ??= LogByteLimits.None;

        var outSink = new LimitedSink(stdout, limits.Stdout);
        var errSink = new LimitedSink(stderr, limits.Stderr);
        var header = ArrayPool<byte>.Shared.Rent(HeaderLength);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferLength);
        try
        {
            while (true)
            {
                // A single read may return fewer than 8 bytes; ReadAtLeast loops until all have arrived.
                var got = await source.ReadAtLeastAsync(
                    header.AsMemory(0, HeaderLength), HeaderLength, throwOnEndOfStream: false, cancellationToken);
                if (got == 0)
                {
                    break; // EOF on a frame boundary: the normal end of the stream.
                }
                if (got < HeaderLength)
                {
                    throw new EndOfStreamException(
                        $"Log stream ended inside a frame header ({got} of {HeaderLength} bytes).");
                }

                var length = ParseLength(header);
                var streamType = header[0];
                switch (streamType)
                {
                    // moby's stdcopy sends stdin frames to stdout as well; they do not occur in logs anyway.
                    case StdinStream:
                    case StdoutStream:
                        await CopyPayloadAsync(source, buffer, length, outSink, cancellationToken);
                        break;
                    case StderrStream:
                        await CopyPayloadAsync(source, buffer, length, errSink, cancellationToken);
                        break;
                    case SystemErrorStream:
                        throw new DockerLogStreamException(
                            "The Docker engine reported an error in the log stream: "
                            + await ReadSystemErrorAsync(source, buffer, length, cancellationToken));
                    default:
                        throw new InvalidDataException(
                            $"Unknown stream type {streamType} in a log frame header; was the container created with a TTY?");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<byte>.Shared.Return(header);
        }

        return new LogCopyResult(outSink.Written, errSink.Written, outSink.Dropped, errSink.Dropped);
    }

    private static long ParseLength(byte[] header)
    {
        // Three zero bytes follow the stream type; anything else means this is not a multiplexed stream
        // (typically the raw output of a TTY container).
        if (header[1] != 0 || header[2] != 0 || header[3] != 0)
        {
            throw new InvalidDataException("Malformed log frame header: bytes 1-3 must be zero.");
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4, 4));
        if (length > int.MaxValue)
        {
            throw new InvalidDataException($"Log frame length {length} exceeds the largest allowed frame.");
        }
        return length;
    }

    private static async Task CopyPayloadAsync(
        Stream source, byte[] buffer, long length, LimitedSink sink, CancellationToken cancellationToken)
    {
        var remaining = length;
        while (remaining > 0)
        {
            var wanted = (int)Math.Min(buffer.Length, remaining);
            var read = await source.ReadAsync(buffer.AsMemory(0, wanted), cancellationToken);
            if (read == 0)
            {
                throw new EndOfStreamException(
                    $"Log stream ended inside a frame payload ({length - remaining} of {length} bytes).");
            }
            await sink.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            remaining -= read;
        }
    }

    private static async Task<string> ReadSystemErrorAsync(
        Stream source, byte[] buffer, long length, CancellationToken cancellationToken)
    {
        if (length > MaxSystemErrorLength)
        {
            throw new InvalidDataException($"System error frame of {length} bytes is too long.");
        }
        using var message = new MemoryStream();
        await CopyPayloadAsync(source, buffer, length, new LimitedSink(message, null), cancellationToken);
        return Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
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
