using ExecutionPlanner.Server.Execution;

namespace ExecutionPlanner.Tests.Unit;

public sealed class ResultNamesTests
{
    [TestCase("./a.txt", "a.txt")]
    [TestCase("./sub/b.csv", "sub/b.csv")]
    [TestCase("./with space/é.fits", "with space/é.fits")]
    [TestCase("./a\\b.txt", "a%5Cb.txt")]
    [TestCase("./bell\u0007.txt", "bell%07.txt")]
    [TestCase("./esc\u001b[31m.txt", "esc%1B[31m.txt")]
    [TestCase("./100%.txt", "100%25.txt")]
    [TestCase("./c1\u0085.txt", "c1%C2%85.txt")]
    [TestCase("./nonchar\uFFFF", "nonchar%EF%BF%BF")]
    [TestCase("./../up.txt", "%2E%2E/up.txt")]
    public void Names_keep_the_path_and_encode_what_a_url_or_xml_cannot_carry(string path, string expected)
    {
        Assert.That(new ResultNames().Add(path, out _), Is.EqualTo(expected));
    }

    [Test]
    public void A_renamed_file_comes_with_a_note_and_a_plain_one_without()
    {
        var names = new ResultNames();
        Assert.That(names.Add("./plain.txt", out var plain), Is.EqualTo("plain.txt"));
        Assert.That(plain, Is.Null);
        Assert.That(names.Add("./a\\b", out var encoded), Is.EqualTo("a%5Cb"));
        Assert.That(encoded, Does.Contain("served as 'a%5Cb'").And.Contain("percent-encoded"));
    }

    [Test]
    public void Stdout_and_stderr_files_never_take_the_logs_names_and_every_name_is_unique()
    {
        var names = new ResultNames();
        Assert.That(names.Add("./stdout", out var note), Is.EqualTo("results/stdout"));
        Assert.That(note, Is.Null, "the documented mapping needs no note");
        Assert.That(names.Add("./results/stdout", out var taken), Is.EqualTo("results/stdout~2"));
        Assert.That(names.Add("./stdout", out _), Is.EqualTo("results/stdout~3"), "a clash with the mapped name counts on from it");
        Assert.That(taken, Does.Contain("that name was taken"));
        Assert.That(names.Add("./x%5Cy", out _), Is.EqualTo("x%255Cy"));
        Assert.That(names.Add("./x\\y", out _), Is.EqualTo("x%5Cy"));
    }

    [Test]
    public void Two_paths_that_encode_alike_get_distinct_names()
    {
        var names = new ResultNames();
        var first = names.Add("./a\uFFFD", out _);
        var second = names.Add("./a\uFFFD", out var note);
        Assert.That(second, Is.Not.EqualTo(first));
        Assert.That(note, Is.Not.Null);
    }

    [Test]
    public void A_path_too_long_to_serve_is_skipped_with_a_note()
    {
        var names = new ResultNames();
        Assert.That(names.Add("./" + string.Join('/', Enumerable.Repeat(new string('d', 200), 6)), out var note), Is.Null);
        Assert.That(note, Does.Contain("skipped").And.Contain("longer than 1024"));
    }

    [Test]
    public void The_folder_itself_has_no_name()
    {
        Assert.That(new ResultNames().Add("./", out var note), Is.Null);
        Assert.That(note, Is.Null);
    }
}
