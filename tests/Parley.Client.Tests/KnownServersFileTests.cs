using Parley.Client.Tests.Support;

namespace Parley.Client.Tests;

public sealed class KnownServersFileTests
{
    [Fact]
    public void Add_ThenLookup_RoundTripsAndSurvivesANewInstance()
    {
        using var dir = new TempDirectory();
        var path = dir.File("nested/known_servers");
        var fingerprint = TestCertificates.RandomFingerprint();

        Assert.True(new KnownServersFile(path).Add("Chat.Example.", 5001, fingerprint.Replace(":", "")));

        var reopened = new KnownServersFile(path);
        Assert.Equal([fingerprint], reopened.Lookup("chat.example", 5001));
        Assert.Empty(reopened.Lookup("chat.example", 5002));
        Assert.Equal([new KnownServer("chat.example:5001", fingerprint)], reopened.ReadAll());
        Assert.Contains($"chat.example:5001 {fingerprint}", File.ReadAllText(path));
    }

    [Fact]
    public void Add_SameEntryTwice_WritesItOnce()
    {
        using var dir = new TempDirectory();
        var file = new KnownServersFile(dir.File("known_servers"));
        var fingerprint = TestCertificates.RandomFingerprint();

        file.Add("h", 1, fingerprint);

        Assert.False(file.Add("h", 1, fingerprint));
        Assert.Single(file.ReadAll());
    }

    [Fact]
    public void Add_KeepsCommentsAndLinesItCannotParse()
    {
        using var dir = new TempDirectory();
        var path = dir.File("known_servers");
        File.WriteAllText(path, "# mine\n\nnot a valid line\nold:1 " + TestCertificates.RandomFingerprint() + "\n");

        new KnownServersFile(path).Add("new", 2, TestCertificates.RandomFingerprint());

        var lines = File.ReadAllLines(path);
        Assert.Equal("# mine", lines[0]);
        Assert.Equal("not a valid line", lines[2]);
        Assert.StartsWith("old:1 ", lines[3]);
        Assert.StartsWith("new:2 ", lines[4]);
        Assert.Equal(2, new KnownServersFile(path).ReadAll().Count);
    }

    [Fact]
    public void Add_CreatesTheFileReadableOnlyByItsOwner()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes only.
        }

        using var dir = new TempDirectory();
        var path = dir.File("known_servers");

        new KnownServersFile(path).Add("h", 1, TestCertificates.RandomFingerprint());

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void Add_TightensAFileThatWasWorldReadable()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes only.
        }

        using var dir = new TempDirectory();
        var path = dir.File("known_servers");
        File.WriteAllText(path, "# loose\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);

        new KnownServersFile(path).Add("h", 1, TestCertificates.RandomFingerprint());

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Remove_DropsEveryEntryForTheServerOnly()
    {
        using var dir = new TempDirectory();
        var file = new KnownServersFile(dir.File("known_servers"));
        file.Add("a", 1, TestCertificates.RandomFingerprint());
        file.Add("b", 1, TestCertificates.RandomFingerprint());

        Assert.Equal(1, file.Remove("A", 1));
        Assert.Equal(["b:1"], file.ReadAll().Select(e => e.Endpoint));
    }

    [Fact]
    public void MissingFile_HasNoEntries()
    {
        Assert.Empty(new KnownServersFile("/nonexistent/dir/known_servers").ReadAll());
    }

    [Theory]
    [InlineData("localhost", 5001, "localhost:5001")]
    [InlineData("::1", 5001, "[::1]:5001")]
    [InlineData("[FE80::1]", 7, "[fe80::1]:7")]
    [InlineData("Example.COM.", 443, "example.com:443")]
    public void FormatEndpoint_NormalizesHostAndBracketsIPv6(string host, int port, string expected)
    {
        Assert.Equal(expected, KnownServersFile.FormatEndpoint(host, port));
    }
}
