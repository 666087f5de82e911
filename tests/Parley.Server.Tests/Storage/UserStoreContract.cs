using Parley.Server.Storage;

namespace Parley.Server.Tests.Storage;

/// <summary>
/// What every <see cref="IParleyStorage"/> must do with users. Each provider derives once and supplies a fresh, empty
/// storage; xunit makes a new instance (so a new storage) per test.
/// </summary>
public abstract class UserStoreContract : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private IParleyStorage? _storage;

    protected IParleyStorage Storage => _storage ?? throw new InvalidOperationException("InitializeAsync has not run.");

    private IUserStore Users => Storage.Users;

    /// <summary>Makes a storage over an empty database; the contract migrates and disposes it.</summary>
    protected abstract Task<IParleyStorage> CreateFreshStorageAsync();

    /// <summary>Runs after the storage is disposed, to delete what <see cref="CreateFreshStorageAsync"/> made.</summary>
    protected virtual Task CleanUpAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _storage = await CreateFreshStorageAsync();
        await _storage.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        if (_storage is not null)
        {
            await _storage.DisposeAsync();
        }

        await CleanUpAsync();
    }

    // Stores promise millisecond precision, so test records carry whole milliseconds.
    private static UserRecord NewUser(string username, string homeServerId = "home.example") => new(
        Guid.CreateVersion7(),
        username,
        homeServerId,
        "$2a$04$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
        DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_123));

    [Fact]
    public async Task Create_NewUser_ReturnsCreatedAndFindByUsernameReturnsSameRecord()
    {
        var user = NewUser("Alice");

        Assert.Equal(CreateUserResult.Created, await Users.CreateAsync(user));

        Assert.Equal(user, await Users.FindByUsernameAsync("Alice"));
    }

    [Fact]
    public async Task FindByUsername_InOtherCase_ReturnsRecordWithDisplaySpelling()
    {
        var user = NewUser("MixedCase.Name");
        await Users.CreateAsync(user);

        var found = await Users.FindByUsernameAsync("mixedcase.NAME");

        Assert.NotNull(found);
        Assert.Equal("MixedCase.Name", found.Username);
        Assert.Equal(user.Id, found.Id);
    }

    [Fact]
    public async Task Create_WithTakenUsernameInOtherCase_ReturnsUsernameTakenAndKeepsFirstUser()
    {
        var first = NewUser("bob");
        await Users.CreateAsync(first);

        var result = await Users.CreateAsync(NewUser("BoB"));

        Assert.Equal(CreateUserResult.UsernameTaken, result);
        Assert.Equal(first, await Users.FindByUsernameAsync("BOB"));
    }

    [Fact]
    public async Task Create_ConcurrentDuplicatesInVariousCases_ExactlyOneCreated()
    {
        string[] spellings = ["carol", "Carol", "CAROL", "cArOl", "caROL", "CaroL", "carOL", "CAROl"];
        var users = spellings.Select(s => NewUser(s)).ToArray();

        var results = await Task.WhenAll(users.Select(u => Task.Run(() => Users.CreateAsync(u)))).WaitAsync(Timeout);

        Assert.Equal(1, results.Count(r => r == CreateUserResult.Created));
        Assert.Equal(users.Length - 1, results.Count(r => r == CreateUserResult.UsernameTaken));
        var winner = users[Array.IndexOf(results, CreateUserResult.Created)];
        Assert.Equal(winner, await Users.FindByUsernameAsync("carol"));
    }

    [Fact]
    public async Task Create_ConcurrentDistinctUsers_AllCreatedAndFindable()
    {
        var users = Enumerable.Range(0, 32).Select(i => NewUser($"user{i:D2}")).ToArray();

        var results = await Task.WhenAll(users.Select(u => Task.Run(() => Users.CreateAsync(u)))).WaitAsync(Timeout);

        Assert.All(results, r => Assert.Equal(CreateUserResult.Created, r));
        foreach (var user in users)
        {
            Assert.Equal(user, await Users.FindByIdAsync(user.Id));
        }
    }

    [Fact]
    public async Task FindById_ExistingUser_ReturnsRecord()
    {
        var user = NewUser("dave", homeServerId: "other.example");
        await Users.CreateAsync(NewUser("erin"));
        await Users.CreateAsync(user);

        Assert.Equal(user, await Users.FindByIdAsync(user.Id));
    }

    [Fact]
    public async Task FindById_MissingUser_ReturnsNull()
    {
        await Users.CreateAsync(NewUser("frank"));

        Assert.Null(await Users.FindByIdAsync(Guid.CreateVersion7()));
    }

    [Fact]
    public async Task FindByUsername_MissingUser_ReturnsNull()
    {
        await Users.CreateAsync(NewUser("grace"));

        Assert.Null(await Users.FindByUsernameAsync("heidi"));
    }

    [Fact]
    public async Task Migrate_SecondTime_IsNoOpAndKeepsUsers()
    {
        var user = NewUser("ivan");
        await Users.CreateAsync(user);

        await Storage.MigrateAsync();
        await Storage.MigrateAsync();

        Assert.Equal(user, await Users.FindByIdAsync(user.Id));
        Assert.Equal(CreateUserResult.UsernameTaken, await Users.CreateAsync(NewUser("IVAN")));
    }
}
