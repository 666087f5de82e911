using System.Text;
using Parley.IntegrationTests.Infrastructure;
using Parley.Protocol;
using Parley.Protocol.Messages;

namespace Parley.IntegrationTests;

public sealed class MessagingTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(o => o.MaxTextBytes = 100_000);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task DirectMessage_IsDeliveredWithServerSetSender()
    {
        var (alice, aliceName) = await _server.NewUserAsync("alice");
        var (bob, bobName) = await _server.NewUserAsync("bob");
        await using var _a = alice;
        await using var _b = bob;

        var status = await alice.SendMessageAsync(bobName, "Hello Bob");
        var received = await bob.NextAsync<ChatMessage>();

        Assert.Equal(DeliveryStates.Delivered, status.Status);
        Assert.Equal(status.MessageId, received.MessageId);
        Assert.Equal("Hello Bob", received.Payload);
        Assert.Equal(aliceName, received.From);
        Assert.Equal(alice.Session!.UserId, received.FromId);
        Assert.Equal(alice.Session.ServerId, received.FromServer);
        Assert.Equal(bobName, received.To);
        Assert.Equal(bob.Session!.UserId, received.ToId);
        Assert.True(DateTimeOffset.UtcNow - received.Timestamp < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task DirectMessage_WithForgedSenderFields_CarriesTheRealSender()
    {
        var (mallory, malloryName) = await _server.NewUserAsync("mallory");
        var (bob, bobName) = await _server.NewUserAsync("bob");
        var (victim, _) = await _server.NewUserAsync("victim");
        await using var _m = mallory;
        await using var _b = bob;
        await using var _v = victim;

        var forged = $$"""
            {"type":"message","id":"f1","to":"{{bobName}}","payload":"trust me","from":"{{victim.Session!.Username}}",
             "from_id":"{{victim.Session.UserId}}","from_server":"elsewhere","timestamp":"2001-01-01T00:00:00Z","message_id":"x"}
            """;
        var reply = await mallory.RequestRawAsync("f1", Encoding.UTF8.GetBytes(forged), Timeouts.Token());
        var received = await bob.NextAsync<ChatMessage>();

        Assert.IsType<DeliveryStatusReply>(reply);
        Assert.Equal(malloryName, received.From);
        Assert.Equal(mallory.Session!.UserId, received.FromId);
        Assert.Equal(mallory.Session.ServerId, received.FromServer);
        Assert.NotEqual("x", received.MessageId);
        Assert.True(received.Timestamp.Year > 2001);
    }

    [Fact]
    public async Task DirectMessage_ByUserId_IsDelivered()
    {
        var (alice, _) = await _server.NewUserAsync("alice");
        var (bob, _) = await _server.NewUserAsync("bob");
        await using var _a = alice;
        await using var _b = bob;

        var status = await alice.SendMessageAsync(bob.Session!.UserId, "by id");

        Assert.Equal(DeliveryStates.Delivered, status.Status);
        Assert.Equal("by id", (await bob.NextAsync<ChatMessage>()).Payload);
    }

    [Fact]
    public async Task DirectMessage_ToUsernameThatLooksLikeAUserId_IsDeliveredByName()
    {
        var (alice, _) = await _server.NewUserAsync("alice");
        await using var _a = alice;
        var hexName = Guid.NewGuid().ToString("N");
        await using var hex = await _server.ConnectAsync();
        await hex.RegisterAsync(hexName, TestServer.Password);
        await hex.LoginAsync(hexName, TestServer.Password);

        var status = await alice.SendMessageAsync(hexName, "hello hex");

        Assert.Equal(DeliveryStates.Delivered, status.Status);
        Assert.Equal("hello hex", (await hex.NextAsync<ChatMessage>()).Payload);
    }

    [Fact]
    public async Task DirectMessage_ReachesEverySessionOfTheRecipient()
    {
        var (alice, _) = await _server.NewUserAsync("alice");
        var (bobPhone, bobName) = await _server.NewUserAsync("bob");
        await using var bobLaptop = await _server.LoginAsync(bobName);
        await using var _a = alice;
        await using var _b = bobPhone;

        await alice.SendMessageAsync(bobName, "to all of you");

        Assert.Equal("to all of you", (await bobPhone.NextAsync<ChatMessage>()).Payload);
        Assert.Equal("to all of you", (await bobLaptop.NextAsync<ChatMessage>()).Payload);
    }

    [Fact]
    public async Task DirectMessage_ToRegisteredUserWhoIsOffline_ReportsOffline()
    {
        var (alice, _) = await _server.NewUserAsync("alice");
        var (carol, carolName) = await _server.NewUserAsync("carol");
        await carol.DisposeAsync();
        await using var _a = alice;
        await alice.NextAsync<UserStatusEvent>(e => e.Username == carolName && e.Status == PresenceStates.Offline);

        var status = await alice.SendMessageAsync(carolName, "are you there?");

        Assert.Equal(DeliveryStates.Offline, status.Status);
        Assert.Equal(carolName, status.To);
        Assert.Null(status.MessageId);
    }

    [Fact]
    public async Task DirectMessage_ToUnknownUser_ReportsUnknownUser()
    {
        var (alice, _) = await _server.NewUserAsync("alice");
        await using var _a = alice;

        var status = await alice.SendMessageAsync("no_such_user_here", "hello?");

        Assert.Equal(DeliveryStates.UnknownUser, status.Status);
    }

    [Fact]
    public async Task DirectMessage_LargerThanTheSeedsBuffer_ArrivesWhole()
    {
        var (alice, _) = await _server.NewUserAsync("alice");
        var (bob, bobName) = await _server.NewUserAsync("bob");
        await using var _a = alice;
        await using var _b = bob;
        var text = string.Create(90_000, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + (i % 26));
            }
        });

        await alice.SendMessageAsync(bobName, text);

        Assert.Equal(text, (await bob.NextAsync<ChatMessage>()).Payload);
    }

    [Fact]
    public async Task DirectMessage_OverTheTextLimit_IsRefusedAndTheConnectionStaysUsable()
    {
        var (alice, _) = await _server.NewUserAsync("alice");
        var (bob, bobName) = await _server.NewUserAsync("bob");
        await using var _a = alice;
        await using var _b = bob;

        var refusal = await Assert.ThrowsAsync<Parley.Client.ParleyServerException>(
            () => alice.SendMessageAsync(bobName, new string('x', 100_001)));
        var after = await alice.SendMessageAsync(bobName, "still here");

        Assert.Equal(ErrorCodes.TooLarge, refusal.Code);
        Assert.Equal(DeliveryStates.Delivered, after.Status);
    }

    [Fact]
    public async Task ManyConcurrentMessages_FromOneSender_EachArriveExactlyOnce()
    {
        var (alice, _) = await _server.NewUserAsync("alice");
        var (bob, bobName) = await _server.NewUserAsync("bob");
        await using var _a = alice;
        await using var _b = bob;

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => alice.SendMessageAsync(bobName, i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        var received = new List<int>();
        while (received.Count < 200)
        {
            received.Add(int.Parse((await bob.NextAsync<ChatMessage>()).Payload, System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(200, received.Distinct().Count());
    }

    [Fact]
    public async Task PostedMessages_AreDeliveredInOrderWithoutAStatus_AndOnlyTheFailuresAreAnswered()
    {
        var (alice, _) = await _server.NewUserAsync("alice");
        var (bob, bobName) = await _server.NewUserAsync("bob");
        await using var _a = alice;
        await using var _b = bob;

        for (var i = 0; i < 50; i++)
        {
            await alice.PostMessageAsync(bobName, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var unknown = await alice.PostMessageAsync("no_such_user_here", "hello?");
        var tooLarge = await alice.PostMessageAsync(bobName, new string('x', 100_001));
        // The server answers a connection's requests in order: once the pong is in, every answer before it is too.
        await alice.PingAsync();

        var received = new List<string>();
        while (received.Count < 50)
        {
            received.Add((await bob.NextAsync<ChatMessage>()).Payload);
        }

        Assert.Equal(Enumerable.Range(0, 50).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), received);
        var answers = new List<ServerMessage>();
        while (alice.Events.TryRead(out var message))
        {
            if (message is not UserStatusEvent)
            {
                answers.Add(message);
            }
        }

        Assert.Collection(
            answers,
            a => Assert.Equal((unknown, DeliveryStates.UnknownUser), (Assert.IsType<DeliveryStatusReply>(a).Id, ((DeliveryStatusReply)a).Status)),
            a => Assert.Equal((tooLarge, ErrorCodes.TooLarge), (Assert.IsType<ErrorReply>(a).Id, ((ErrorReply)a).Code)));
    }

    [Fact]
    public async Task Message_WithAnUnknownAckMode_IsRefusedWithInvalidFieldAndNothingIsDelivered()
    {
        var (alice, _) = await _server.NewUserAsync("alice");
        var (bob, bobName) = await _server.NewUserAsync("bob");
        await using var _a = alice;
        await using var _b = bob;

        var json = $$"""{"type":"message","id":"k1","to":"{{bobName}}","payload":"quietly","ack":"never"}""";
        var reply = await alice.RequestRawAsync("k1", Encoding.UTF8.GetBytes(json), Timeouts.Token());
        var after = await alice.SendMessageAsync(bobName, "after");

        var error = Assert.IsType<ErrorReply>(reply);
        Assert.Equal(ErrorCodes.InvalidField, error.Code);
        Assert.Contains("'ack'", error.Message, StringComparison.Ordinal);
        Assert.Equal("after", (await bob.NextAsync<ChatMessage>()).Payload);
        Assert.Equal(DeliveryStates.Delivered, after.Status);
    }

    [Fact]
    public async Task Logs_NeverContainPasswordsOrMessageText()
    {
        const string secretPassword = "Unique-Secret-Pw-77";
        const string secretText = "the-launch-code-is-0000";
        var name = TestServer.NewUsername("quiet");
        await using (var connection = await _server.ConnectAsync())
        {
            await connection.RegisterAsync(name, secretPassword);
            await Assert.ThrowsAsync<Parley.Client.ParleyServerException>(() => connection.LoginAsync(name, secretPassword + "x"));
            await connection.LoginAsync(name, secretPassword);
            await connection.SendMessageAsync(name, secretText);
            await connection.NextAsync<ChatMessage>();
        }

        var logged = _server.AllLogText();
        var logFile = await ReadLogFileAsync();

        Assert.Contains(name, logged, StringComparison.Ordinal);
        Assert.DoesNotContain(secretPassword, logged, StringComparison.Ordinal);
        Assert.DoesNotContain(secretText, logged, StringComparison.Ordinal);
        Assert.DoesNotContain(secretPassword, logFile, StringComparison.Ordinal);
        Assert.DoesNotContain(secretText, logFile, StringComparison.Ordinal);
    }

    private async Task<string> ReadLogFileAsync()
    {
        var path = Path.Combine(_server.DataDirectory, "logs", "server.log");
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
