using Parley.Server.Accounts;
using Parley.Server.Storage;
using Parley.Server.Storage.Sqlite;
using Parley.Server.Tests.Storage;

namespace Parley.Server.Tests.Accounts;

public sealed class AccountServiceTests
{
    private const string HomeServer = "home.example";
    private const string GoodPassword = "Tr1cky!Passw0rd";

    private static readonly DateTimeOffset Now = new DateTimeOffset(2026, 3, 1, 12, 30, 15, 123, TimeSpan.Zero).AddTicks(4567);

    private readonly InMemoryUserStore _store = new();
    private readonly AccountService _service;

    public AccountServiceTests()
    {
        _service = NewService(_store);
    }

    private static AccountService NewService(IUserStore store) => new(
        store,
        new PasswordPolicy(PasswordPolicyKind.Classic, CommonPasswords.LoadEmbedded()),
        new PasswordHasher(PasswordHasherTests.TestPepper, workFactor: 4, maxConcurrency: 2),
        HomeServer,
        new FixedTimeProvider(Now));

    private static CancellationToken Cancelled() => new(canceled: true);

    [Fact]
    public async Task Register_WithValidInput_CreatesStoredUserWithVersion7IdAndHomeServer()
    {
        var outcome = await _service.RegisterAsync("Alice", GoodPassword);

        Assert.Equal(RegisterStatus.Created, outcome.Status);
        Assert.Null(outcome.Reason);
        var user = Assert.IsType<UserRecord>(outcome.User);
        Assert.Equal("Alice", user.Username);
        Assert.Equal(HomeServer, user.HomeServerId);
        Assert.Equal(7, user.Id.Version);
        Assert.Equal(Now.ToUnixTimeMilliseconds(), user.CreatedAt.ToUnixTimeMilliseconds());
        Assert.Equal(user, await _store.FindByUsernameAsync("alice"));
    }

    [Fact]
    public async Task Register_StoresBcryptHashNotPassword()
    {
        var outcome = await _service.RegisterAsync("alice", GoodPassword);

        Assert.StartsWith("$2a$04$", outcome.User!.PasswordHash, StringComparison.Ordinal);
        Assert.DoesNotContain(GoodPassword, outcome.User.PasswordHash, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_WithInvalidUsername_ReturnsInvalidUsernameWithoutHashing()
    {
        // A cancelled token would make the hasher throw: a clean refusal proves it was never reached.
        var outcome = await _service.RegisterAsync("a b", GoodPassword, Cancelled());

        Assert.Equal(new RegisterOutcome(RegisterStatus.InvalidUsername, null, "Username may contain only letters A-Z, digits 0-9, '_', '.' and '-'."), outcome);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public async Task Register_WithWeakPassword_ReturnsWeakPasswordWithReasonWithoutHashing()
    {
        var outcome = await _service.RegisterAsync("alice", "short", Cancelled());

        Assert.Equal(RegisterStatus.WeakPassword, outcome.Status);
        Assert.Null(outcome.User);
        Assert.StartsWith("Password must be at least 8 characters", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public async Task Register_WithPasswordEqualToUsername_ReturnsWeakPassword()
    {
        var outcome = await _service.RegisterAsync("Alice.Smith-1", "aLICE.sMITH-1");

        Assert.Equal(RegisterStatus.WeakPassword, outcome.Status);
        Assert.Equal("Password must not be the same as the username.", outcome.Reason);
    }

    [Fact]
    public async Task Register_WithTakenUsernameInOtherCase_ReturnsUsernameTaken()
    {
        await _service.RegisterAsync("alice", GoodPassword);

        var outcome = await _service.RegisterAsync("ALICE", "An0ther!Password");

        Assert.Equal(new RegisterOutcome(RegisterStatus.UsernameTaken, null, "That username is already taken."), outcome);
        Assert.Equal(1, _store.Count);
    }

    [Fact]
    public async Task Register_WithTakenUsername_RefusesBeforeHashing()
    {
        await _service.RegisterAsync("alice", GoodPassword);

        var outcome = await _service.RegisterAsync("Alice", "An0ther!Password", Cancelled());

        Assert.Equal(RegisterStatus.UsernameTaken, outcome.Status);
    }

    [Fact]
    public async Task Register_WhenStoreReportsRaceLost_ReturnsUsernameTaken()
    {
        var service = NewService(new AlwaysTakenStore());

        var outcome = await service.RegisterAsync("alice", GoodPassword);

        Assert.Equal(RegisterStatus.UsernameTaken, outcome.Status);
        Assert.Null(outcome.User);
    }

    [Fact]
    public async Task Authenticate_WithCorrectPassword_ReturnsUser()
    {
        var registered = (await _service.RegisterAsync("alice", GoodPassword)).User;

        Assert.Equal(registered, await _service.AuthenticateAsync("alice", GoodPassword));
    }

    [Fact]
    public async Task Authenticate_WithUsernameInOtherCase_ReturnsUser()
    {
        var registered = (await _service.RegisterAsync("Alice", GoodPassword)).User;

        Assert.Equal(registered, await _service.AuthenticateAsync("aLiCe", GoodPassword));
    }

    [Theory]
    [InlineData("tr1cky!passw0rd")]
    [InlineData("Tr1cky!Passw0rd ")]
    [InlineData("")]
    public async Task Authenticate_WithWrongPassword_ReturnsNull(string attempt)
    {
        await _service.RegisterAsync("alice", GoodPassword);

        Assert.Null(await _service.AuthenticateAsync("alice", attempt));
    }

    [Fact]
    public async Task Authenticate_UnknownUser_ReturnsNull()
    {
        await _service.RegisterAsync("alice", GoodPassword);

        Assert.Null(await _service.AuthenticateAsync("bob", GoodPassword));
    }

    [Theory]
    [InlineData("bob")]
    [InlineData("not a valid name")]
    public async Task Authenticate_UnknownUser_StillRunsPasswordVerification(string username)
    {
        // The in-memory store ignores the token; only the hasher observes it, so a throw proves bcrypt ran.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _service.AuthenticateAsync(username, GoodPassword, Cancelled()));
    }

    [Fact]
    public async Task RegisterThenAuthenticate_OverSqlite_Works()
    {
        using var directory = new TempDirectory();
        await using var storage = new SqliteStorage(SqliteStorage.ConnectionStringForFile(directory.File("parley.db")));
        await storage.MigrateAsync();
        var service = NewService(storage.Users);

        var registered = await service.RegisterAsync("Alice", GoodPassword);

        Assert.Equal(RegisterStatus.Created, registered.Status);
        Assert.Equal(registered.User, await service.AuthenticateAsync("ALICE", GoodPassword));
        Assert.Null(await service.AuthenticateAsync("alice", "Wr0ng!Password"));
        Assert.Equal(RegisterStatus.UsernameTaken, (await service.RegisterAsync("alice", GoodPassword)).Status);
    }

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    // Finds nobody but loses every insert, as when a concurrent registration wins between check and insert.
    private sealed class AlwaysTakenStore : IUserStore
    {
        public Task<CreateUserResult> CreateAsync(UserRecord user, CancellationToken cancellationToken = default) =>
            Task.FromResult(CreateUserResult.UsernameTaken);

        public Task<UserRecord?> FindByUsernameAsync(string username, CancellationToken cancellationToken = default) =>
            Task.FromResult<UserRecord?>(null);

        public Task<UserRecord?> FindByIdAsync(Guid id, CancellationToken cancellationToken = default) =>
            Task.FromResult<UserRecord?>(null);
    }
}
