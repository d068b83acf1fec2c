using ExecutionPlanner.Server.Jobs;

namespace ExecutionPlanner.Tests.Unit;

[Parallelizable(ParallelScope.Children)]
public sealed class MemoryQuantityTests
{
    [TestCase("512Mi", 512L * 1024 * 1024)]
    [TestCase("2Gi", 2L * 1024 * 1024 * 1024)]
    [TestCase("1.5G", 1_500_000_000L)]
    [TestCase("64Ki", 64L * 1024)]
    [TestCase("1Ti", 1024L * 1024 * 1024 * 1024)]
    [TestCase("3k", 3000L)]
    [TestCase("3K", 3000L)]
    [TestCase("100M", 100_000_000L)]
    [TestCase("1048576", 1_048_576L)]
    [TestCase(" 8Mi ", 8L * 1024 * 1024)]
    [TestCase("0.5Ki", 512L)]
    public void Parses_suffixed_and_plain_byte_counts(string text, long expected)
    {
        Assert.That(MemoryQuantity.TryParse(text, out var bytes), Is.True, text);
        Assert.That(bytes, Is.EqualTo(expected));
    }

    [TestCase("0")]
    [TestCase("0Mi")]
    [TestCase("-1")]
    [TestCase("-1Gi")]
    [TestCase("abc")]
    [TestCase("1Zi")]
    [TestCase("1mi")]
    [TestCase("Mi")]
    [TestCase("")]
    [TestCase(null)]
    [TestCase("1e6")]
    [TestCase("1,5G")]
    [TestCase("0.1")]
    [TestCase("99999999999Ti")]
    [TestCase("79228162514264337593543950335Ti")]
    [TestCase("79228162514264337593543950335")]
    [TestCase("99999999999999999999999999999999999")]
    [TestCase("9223372036854775808")]
    [TestCase("9007199254740993Ki")]
    public void Rejects_what_is_not_a_positive_size(string? text)
    {
        Assert.That(MemoryQuantity.TryParse(text, out var bytes), Is.False, text);
        Assert.That(bytes, Is.Zero);
    }

    [TestCase(8L * 1024 * 1024 * 1024, "8Gi")]
    [TestCase(512L * 1024 * 1024, "512Mi")]
    [TestCase(3L * 1024, "3Ki")]
    [TestCase(1000L, "1000")]
    public void Format_uses_the_largest_exact_binary_suffix(long bytes, string expected)
    {
        Assert.That(MemoryQuantity.Format(bytes), Is.EqualTo(expected));
        Assert.That(MemoryQuantity.TryParse(expected, out var back) && back == bytes, Is.True);
    }
}
