using Parley.Server.Accounts;

namespace Parley.Server.Tests.Accounts;

public sealed class PepperFileTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void LoadOrCreate_FirstUse_CreatesBase64FileOf32Bytes()
    {
        var path = _directory.File("pepper");

        var pepper = PepperFile.LoadOrCreate(path);

        Assert.Equal(32, pepper.Length);
        Assert.Equal(pepper, Convert.FromBase64String(File.ReadAllText(path)));
    }

    [Fact]
    public void LoadOrCreate_FirstUse_CreatesFileReadableOnlyByOwner()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix modes do not exist there; CI runs on Linux.
        }

        var path = _directory.File("pepper");
        PepperFile.LoadOrCreate(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void LoadOrCreate_SecondUse_ReloadsSameBytes()
    {
        var path = _directory.File("pepper");

        var first = PepperFile.LoadOrCreate(path);
        var second = PepperFile.LoadOrCreate(path);

        Assert.Equal(first, second);
    }

    [Fact]
    public void LoadOrCreate_TwoFiles_GetDifferentRandomPeppers()
    {
        Assert.NotEqual(PepperFile.LoadOrCreate(_directory.File("a")), PepperFile.LoadOrCreate(_directory.File("b")));
    }

    [Fact]
    public void LoadOrCreate_MissingDirectory_CreatesItAndLeavesNoTempFile()
    {
        var path = Path.Combine(_directory.Path, "secrets", "pepper");

        PepperFile.LoadOrCreate(path);

        Assert.Equal([path], Directory.GetFiles(Path.Combine(_directory.Path, "secrets")));
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA==")] // 16 bytes
    [InlineData("")]
    public void LoadOrCreate_CorruptFile_ThrowsNamingTheFileAndKeepsIt(string content)
    {
        var path = _directory.File("pepper");
        File.WriteAllText(path, content);

        var error = Assert.Throws<InvalidDataException>(() => PepperFile.LoadOrCreate(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("32 bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(path));
    }
}
