using System.Buffers.Binary;
using System.Text;
using ExecutionPlanner.Docker;

namespace ExecutionPlanner.Tests.Docker;

[Parallelizable(ParallelScope.All)]
public class DockerLogDemultiplexerTests
{
    private const byte Stdin = 0;
    private const byte Stdout = 1;
    private const byte Stderr = 2;

    [Test]
    public async Task Frame_header_split_across_reads_is_reassembled()
    {
        var (result, stdout, stderr) = await CopyAsync(Frame(Stdout, "hello"));

        Assert.That(stdout, Is.EqualTo("hello"));
        Assert.That(stderr, Is.Empty);
        Assert.That(result.StdoutBytes, Is.EqualTo(5));
    }

    [Test]
    public async Task Payload_longer_than_one_read_is_copied_whole()
    {
        var payload = new string('x', 200_000) + "end";

        var (result, stdout, _) = await CopyAsync(Frame(Stdout, payload));

        Assert.That(stdout, Is.EqualTo(payload));
        Assert.That(result.StdoutBytes, Is.EqualTo(payload.Length));
    }

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
    public async Task Stdin_frames_are_written_to_stdout_like_moby_stdcopy_does()
    {
        var (_, stdout, _) = await CopyAsync(Concat(Frame(Stdin, "in "), Frame(Stdout, "out")));

        Assert.That(stdout, Is.EqualTo("in out"));
    }

    [Test]
    public async Task Empty_stream_and_empty_frames_are_a_clean_end()
    {
        var (empty, _, _) = await CopyAsync([]);
        var (zeroLength, stdout, _) = await CopyAsync(Concat(Frame(Stdout, ""), Frame(Stdout, "a"), Frame(Stderr, "")));

        Assert.That(empty, Is.EqualTo(new LogCopyResult(0, 0, 0, 0)));
        Assert.That(stdout, Is.EqualTo("a"));
        Assert.That(zeroLength.StdoutBytes, Is.EqualTo(1));
    }

    [Test]
    public void Eof_inside_header_throws_EndOfStreamException()
    {
        var data = Concat(Frame(Stdout, "complete"), Frame(Stdout, "cut")[..5]);

        Assert.That(async () => await CopyAsync(data), Throws.InstanceOf<EndOfStreamException>());
    }

    [Test]
    public void Eof_inside_payload_throws_EndOfStreamException()
    {
        var frame = Frame(Stderr, "truncated payload");

        Assert.That(async () => await CopyAsync(frame[..^4]), Throws.InstanceOf<EndOfStreamException>());
    }

    [Test]
    public void Unknown_stream_type_throws_InvalidDataException()
    {
        Assert.That(async () => await CopyAsync(Frame(7, "?")), Throws.InstanceOf<InvalidDataException>());
    }

    [Test]
    public void Nonzero_padding_in_the_header_throws_InvalidDataException()
    {
        // What raw TTY output looks like when read as frames: text where the padding should be zero.
        var data = Encoding.ASCII.GetBytes("\u0001ello world, no frames here");

        Assert.That(async () => await CopyAsync(data), Throws.InstanceOf<InvalidDataException>());
    }

    [Test]
    public void Length_above_int_MaxValue_throws_InvalidDataException()
    {
        var header = new byte[8];
        header[0] = Stdout;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), uint.MaxValue);

        Assert.That(async () => await CopyAsync(header), Throws.InstanceOf<InvalidDataException>());
    }

    [Test]
    public void System_error_frame_throws_DockerLogStreamException_with_the_engine_message()
    {
        var data = Concat(Frame(Stdout, "partial"), Frame(3, "log driver failed"));

        Assert.That(
            async () => await CopyAsync(data),
            Throws.InstanceOf<DockerLogStreamException>().With.Message.Contains("log driver failed"));
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

    private static async Task<(LogCopyResult Result, string Stdout, string Stderr)> CopyAsync(
        byte[] data, LogByteLimits? limits = null)
    {
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var result = await DockerLogDemultiplexer.CopyAsync(new TrickleStream(data), stdout, stderr, limits, CancellationToken.None);
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
