using System.Buffers.Binary;
using System.Text;
using Docker.DotNet;
using ExecutionPlanner.Docker;

namespace ExecutionPlanner.Tests.Docker;

/// <summary>
/// Our byte limits on top of the library's demultiplexer (Docker.DotNet's MultiplexedStream), on frames
/// that arrive split across reads. The frame format itself is the library's to decode.
/// </summary>
[Parallelizable(ParallelScope.All)]
public class LimitedLogCopyTests
{
    private const byte Stdout = 1;
    private const byte Stderr = 2;
    private const byte SystemError = 3;

    [Test]
    public async Task Stdout_and_stderr_frames_go_to_their_own_targets_in_order()
    {
        var data = Concat(Frame(Stdout, "one "), Frame(Stderr, "warn "), Frame(Stdout, "two"), Frame(Stderr, "fail"));

        var (result, stdout, stderr) = await CopyAsync(data);

        Assert.That(stdout, Is.EqualTo("one two"));
        Assert.That(stderr, Is.EqualTo("warn fail"));
        Assert.That(result, Is.EqualTo(new LogCopyResult(7, 9, 0, 0)));
    }

    [Test]
    public async Task Payload_longer_than_the_copy_buffer_is_copied_whole()
    {
        var payload = new string('x', 200_000) + "end";

        var (result, stdout, _) = await CopyAsync(Frame(Stdout, payload));

        Assert.That(stdout, Is.EqualTo(payload));
        Assert.That(result.StdoutBytes, Is.EqualTo(payload.Length));
    }

    [Test]
    public async Task Limits_keep_the_first_bytes_of_each_stream_and_count_the_rest()
    {
        var data = Concat(Frame(Stdout, "0123"), Frame(Stderr, "abcdef"), Frame(Stdout, "456789"), Frame(Stderr, "gh"));

        var (result, stdout, stderr) = await CopyAsync(data, new LogByteLimits(Stdout: 6, Stderr: 3));

        Assert.That(stdout, Is.EqualTo("012345"));
        Assert.That(stderr, Is.EqualTo("abc"));
        Assert.That(result, Is.EqualTo(new LogCopyResult(6, 3, 4, 5)));
        Assert.That(result.StdoutTruncated && result.StderrTruncated, Is.True);
    }

    [Test]
    public async Task Zero_limit_drops_everything_but_still_counts_it()
    {
        var (result, stdout, stderr) = await CopyAsync(
            Concat(Frame(Stdout, "abc"), Frame(Stderr, "de")), new LogByteLimits(Stdout: 0, Stderr: null));

        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Is.EqualTo("de"));
        Assert.That(result, Is.EqualTo(new LogCopyResult(0, 2, 3, 0)));
    }

    [Test]
    public void System_error_frame_throws_DockerLogStreamException()
    {
        var data = Concat(Frame(Stdout, "partial"), Frame(SystemError, "log driver failed"));

        Assert.That(async () => await CopyAsync(data), Throws.InstanceOf<DockerLogStreamException>());
    }

    [Test]
    public void Eof_inside_a_payload_throws_EndOfStreamException()
    {
        var frame = Frame(Stdout, "truncated");

        Assert.That(async () => await CopyAsync(frame[..^3]), Throws.InstanceOf<EndOfStreamException>());
    }

    private static async Task<(LogCopyResult Result, string Stdout, string Stderr)> CopyAsync(
        byte[] data, LogByteLimits? limits = null)
    {
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        using var source = new MultiplexedStream(new TrickleStream(data), multiplexed: true);
        var result = await LimitedLogCopy.CopyAsync(source, stdout, stderr, limits, CancellationToken.None);
        return (result, Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()));
    }

    private static byte[] Frame(byte streamType, string payload)
    {
        var body = Encoding.UTF8.GetBytes(payload);
        var frame = new byte[8 + body.Length];
        frame[0] = streamType;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)body.Length);
        body.CopyTo(frame, 8);
        return frame;
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
