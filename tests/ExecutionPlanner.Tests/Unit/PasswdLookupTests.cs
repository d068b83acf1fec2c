using ExecutionPlanner.Server.Execution;

namespace ExecutionPlanner.Tests.Unit;

public sealed class PasswdLookupTests
{
    const string Passwd = "root:x:0:0:root:/root:/bin/sh\n# comment\nastro:x:1000:100:Astronomer:/home/astro:/bin/bash\n";
    const string Group = "root:x:0:\nusers:x:100:\nstaff:x:50:astro\n";

    [TestCase("astro", 1000, 100)]
    [TestCase("astro:staff", 1000, 50)]
    [TestCase("astro:7", 1000, 7)]
    [TestCase("1000", 1000, 100)]
    [TestCase("4242", 4242, 4242)]
    [TestCase("4242:staff", 4242, 50)]
    public void A_user_is_resolved_from_the_images_passwd_and_group(string user, int uid, int gid)
    {
        Assert.That(PasswdLookup.Resolve(user, Passwd, Group, out var problem), Is.EqualTo((uid, gid)));
        Assert.That(problem, Is.Null);
    }

    [TestCase("nobody", "/etc/passwd has no user 'nobody'")]
    [TestCase("astro:wheel", "/etc/group has no group 'wheel'")]
    public void An_unknown_user_or_group_says_which(string user, string expected)
    {
        Assert.That(PasswdLookup.Resolve(user, Passwd, Group, out var problem), Is.Null);
        Assert.That(problem, Does.Contain(expected));
    }

    [Test]
    public void An_image_without_passwd_cannot_name_its_user()
    {
        Assert.That(PasswdLookup.Resolve("astro", null, null, out var problem), Is.Null);
        Assert.That(problem, Does.Contain("no /etc/passwd"));
    }
}
