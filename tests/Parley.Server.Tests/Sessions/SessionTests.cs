using System.Net;
using System.Text;
using Parley.Protocol;
using Parley.Protocol.Messages;
using Parley.Server.Configuration;
using Parley.Server.Sessions;

namespace Parley.Server.Tests.Sessions;

public sealed class SessionTests
{
    private static readonly ProtocolError LoginTimeout = new(ErrorCodes.LoginTimeout, "No successful login within 1 second.");
    private static readonly ProtocolError Shutdown = new(ErrorCodes.ServerShutdown, "The server is shutting down.");

    // The grace a peer gets to take the final error; Session.CloseGrace.
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    private static byte[] Pong(string id) => ServerMessageCodec.Encode(new PongReply { Id = id });

    private static OnlineUserState Presence(string username = "alice") =>
        new(TestUsers.Create(username), IPAddress.Parse("10.8.0.2"));

    [Fact]
    public async Task DeferrableFrame_WaitsTheDeferWindow_ThenGoesOutWithTheDeferrableFramesQueuedBehindIt()
    {
        var time = new ManualTimeProvider();
        var window = TimeSpan.FromMilliseconds(25);
        await using var piped = new PipedSession(time: time, deferWindow: window).StartWriter();

        Assert.True(piped.Session.TryEnqueue(Pong("presence-1"), deferrable: true));
        await WaitUntilAsync(() => time.ScheduledTimers == 1);
        Assert.True(piped.Session.TryEnqueue(Pong("presence-2"), deferrable: true));
        var first = piped.ReceiveJsonAsync();
        Assert.False(first.IsCompleted);

        time.Advance(window);

        Assert.Contains("presence-1", await first, StringComparison.Ordinal);
        Assert.Contains("presence-2", await piped.ReceiveJsonAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OrdinaryFrame_QueuedWhileDeferrableFramesWait_EndsTheWaitAndGoesOutBehindThem()
    {
        var time = new ManualTimeProvider();
        await using var piped = new PipedSession(time: time, deferWindow: TimeSpan.FromMilliseconds(25)).StartWriter();

        Assert.True(piped.Session.TryEnqueue(Pong("presence"), deferrable: true));
        await WaitUntilAsync(() => time.ScheduledTimers == 1);
        Assert.True(piped.Session.TryEnqueue(Pong("message")));

        // The clock never moves: only the ordinary frame can have ended the wait.
        Assert.Contains("presence", await piped.ReceiveJsonAsync(), StringComparison.Ordinal);
        Assert.Contains("message", await piped.ReceiveJsonAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CloseWithError_WhileDeferrableFramesWait_SendsThemAndTheErrorWithoutWaiting()
    {
        var time = new ManualTimeProvider();
        await using var piped = new PipedSession(time: time, deferWindow: TimeSpan.FromMilliseconds(25)).StartWriter();

        Assert.True(piped.Session.TryEnqueue(Pong("presence"), deferrable: true));
        await WaitUntilAsync(() => time.ScheduledTimers == 1);
        piped.Session.CloseWithError(Shutdown);

        var frames = await piped.ReadToEndAsync();
        Assert.Equal("presence", Assert.IsType<PongReply>(frames[0]).Id);
        Assert.Equal(ErrorCodes.ServerShutdown, Assert.IsType<ErrorReply>(frames[1]).Code);
    }

    [Fact]
    public async Task DeferrableFrame_AfterAnEndedWait_WaitsTheWholeWindowAgain()
    {
        var time = new ManualTimeProvider();
        var window = TimeSpan.FromMilliseconds(25);
        await using var piped = new PipedSession(time: time, deferWindow: window).StartWriter();
        Assert.True(piped.Session.TryEnqueue(Pong("presence-1"), deferrable: true));
        await WaitUntilAsync(() => time.ScheduledTimers == 1);
        Assert.True(piped.Session.TryEnqueue(Pong("message")));
        await piped.ReceiveJsonAsync();
        await piped.ReceiveJsonAsync();

        Assert.True(piped.Session.TryEnqueue(Pong("presence-2"), deferrable: true));
        await WaitUntilAsync(() => time.ScheduledTimers == 1);
        var next = piped.ReceiveJsonAsync();
        Assert.False(next.IsCompleted);
        time.Advance(window);

        Assert.Contains("presence-2", await next, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OrdinaryFrame_IsWrittenWithoutWaiting_EvenWithADeferWindow()
    {
        var time = new ManualTimeProvider();
        await using var piped = new PipedSession(time: time, deferWindow: TimeSpan.FromMilliseconds(25)).StartWriter();

        Assert.True(piped.Session.TryEnqueue(Pong("now")));

        Assert.Contains("now", await piped.ReceiveJsonAsync(), StringComparison.Ordinal);
        Assert.Equal(0, time.ScheduledTimers);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not become true within 10 s");
            await Task.Yield();
        }
    }

    [Fact]
    public async Task RunWriterAsync_SealsQueuedFrames_ThatTheClientOpensBackToTheSameJsonInOrder()
    {
        await using var piped = new PipedSession();
        var before = new[] { Pong("1"), Pong("2"), ServerMessageCodec.Encode(new ErrorReply { Id = "3", Code = "x", Message = "ü €" }) };
        foreach (var json in before)
        {
            Assert.True(piped.Session.TryEnqueue(json));
        }

        piped.StartWriter();
        foreach (var json in before)
        {
            Assert.Equal(Encoding.UTF8.GetString(json), await piped.ReceiveJsonAsync());
        }

        // Frames queued while the writer waits are sealed with the next counters and open in order too.
        Assert.True(piped.Session.TryEnqueue(Pong("4")));
        Assert.True(piped.Session.TryEnqueue(Pong("5")));
        Assert.Equal("4", (await piped.ReceiveAsync<PongReply>()).Id);
        Assert.Equal("5", (await piped.ReceiveAsync<PongReply>()).Id);
        Assert.Empty(await piped.DrainAsync());
    }

    [Fact]
    public async Task RunWriterAsync_MoreThanOneFlushOfFramesQueuedAtOnce_ArriveWholeAndInOrder()
    {
        // 300 frames of ~1 KiB: past the writer's 64 KiB flush threshold, so it flushes mid-batch.
        await using var piped = new PipedSession(queueLimit: 1_000);
        var padding = new string('p', 1_000);
        for (var i = 0; i < 300; i++)
        {
            Assert.True(piped.Session.TryEnqueue(ServerMessageCodec.Encode(new ErrorReply { Id = $"{i}", Code = "c", Message = padding })));
        }

        piped.StartWriter();
        var received = await piped.DrainAsync();

        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"{i}"), received.Select(m => Assert.IsType<ErrorReply>(m).Id));
        Assert.All(received, m => Assert.Equal(padding, ((ErrorReply)m).Message));
    }

    [Fact]
    public async Task TryEnqueue_UpToTheQueueLimit_Succeeds()
    {
        await using var piped = new PipedSession(queueLimit: 16);

        for (var i = 0; i < 16; i++)
        {
            Assert.True(piped.Session.TryEnqueue(Pong($"{i}")));
        }

        Assert.False(piped.Session.IsClosing);
        piped.StartWriter();
        Assert.Equal(16, (await piped.DrainAsync()).Count);
    }

    [Fact]
    public async Task TryEnqueue_PastTheQueueLimit_ReturnsFalseAndClosesTheSessionWithSlowConsumer()
    {
        await using var piped = new PipedSession(queueLimit: 16);
        for (var i = 0; i < 16; i++)
        {
            piped.Session.TryEnqueue(Pong($"{i}"));
        }

        Assert.False(piped.Session.TryEnqueue(Pong("overflow")));

        Assert.True(piped.Session.IsClosing);
        Assert.False(piped.Session.Closing.IsCancellationRequested);
        piped.StartWriter();

        // What was queued still goes out, then the error as the last frame; the writer ends by itself.
        var received = await piped.ReadToEndAsync();
        Assert.Equal(Enumerable.Range(0, 16).Select(i => $"{i}"), received.SkipLast(1).Select(m => Assert.IsType<PongReply>(m).Id));
        var error = Assert.IsType<ErrorReply>(received[^1]);
        Assert.Equal(ErrorCodes.SlowConsumer, error.Code);
        Assert.Null(error.Id);
        Assert.True(piped.Session.IsClosing);
        Assert.True(piped.Session.Closing.IsCancellationRequested);
    }

    [Fact]
    public async Task TryEnqueue_CountsOnlyFramesTheWriterHasNotTakenYet()
    {
        await using var piped = new PipedSession(queueLimit: 16).StartWriter();

        // Three times the limit in all, but never more than the limit waiting at once.
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 16; i++)
            {
                Assert.True(piped.Session.TryEnqueue(Pong($"{round}.{i}")));
            }

            for (var i = 0; i < 16; i++)
            {
                Assert.Equal($"{round}.{i}", (await piped.ReceiveAsync<PongReply>()).Id);
            }
        }

        Assert.False(piped.Session.IsClosing);
    }

    [Fact]
    public async Task CloseWithError_SendsWhatIsQueuedThenTheError_AndEndsTheWriter()
    {
        await using var piped = new PipedSession().StartWriter();
        piped.Session.TryEnqueue(Pong("1"));

        piped.Session.CloseWithError(Shutdown);

        var received = await piped.ReadToEndAsync();
        Assert.Equal("1", Assert.IsType<PongReply>(received[0]).Id);
        var error = Assert.IsType<ErrorReply>(Assert.Single(received.Skip(1)));
        Assert.Equal((ErrorCodes.ServerShutdown, Shutdown.Message), (error.Code, error.Message));
        Assert.True(piped.Session.Closing.IsCancellationRequested);
    }

    [Fact]
    public async Task TryEnqueue_AfterCloseWithError_ReturnsFalseAndNothingFollowsTheError()
    {
        await using var piped = new PipedSession();
        piped.Session.CloseWithError(Shutdown);

        Assert.False(piped.Session.TryEnqueue(Pong("late")));
        Assert.False(piped.Session.TryReply(new PongReply { Id = "late" }));

        piped.StartWriter();
        var error = Assert.IsType<ErrorReply>(Assert.Single(await piped.ReadToEndAsync()));
        Assert.Equal(ErrorCodes.ServerShutdown, error.Code);
    }

    [Fact]
    public async Task CloseWithError_Twice_SendsOnlyTheFirstError()
    {
        await using var piped = new PipedSession();

        piped.Session.CloseWithError(Shutdown);
        piped.Session.CloseWithError(LoginTimeout);

        piped.StartWriter();
        var error = Assert.IsType<ErrorReply>(Assert.Single(await piped.ReadToEndAsync()));
        Assert.Equal(ErrorCodes.ServerShutdown, error.Code);
    }

    [Fact]
    public async Task CloseWithError_WhenThePeerNeverTakesTheError_AbortsOnceAfterTheGracePeriod()
    {
        var time = new ManualTimeProvider();
        await using var piped = new PipedSession(time: time);

        // No writer runs: the error can never leave.
        piped.Session.CloseWithError(Shutdown);
        time.Advance(CloseGrace - TimeSpan.FromTicks(1));
        Assert.Equal(0, piped.Aborts);

        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1, piped.Aborts);

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, piped.Aborts);
    }

    [Fact]
    public async Task Dispose_AfterCloseWithError_StopsTheAbortTimer()
    {
        var time = new ManualTimeProvider();
        await using var piped = new PipedSession(time: time).StartWriter();
        piped.Session.CloseWithError(Shutdown);
        await piped.ReadToEndAsync();

        piped.Session.Dispose();
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(0, piped.Aborts);
        Assert.Equal(0, time.ScheduledTimers);
    }

    [Fact]
    public async Task StartLoginDeadline_WithoutLogin_ClosesWithThatErrorWhenItExpires()
    {
        var time = new ManualTimeProvider();
        await using var piped = new PipedSession(time: time).StartWriter();
        piped.Session.StartLoginDeadline(TimeSpan.FromMilliseconds(50), LoginTimeout);

        time.Advance(TimeSpan.FromMilliseconds(49));
        Assert.False(piped.Session.IsClosing);

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(piped.Session.IsClosing);
        var error = Assert.IsType<ErrorReply>(Assert.Single(await piped.ReadToEndAsync()));
        Assert.Equal((ErrorCodes.LoginTimeout, LoginTimeout.Message), (error.Code, error.Message));
        Assert.True(piped.Session.Closing.IsCancellationRequested);
    }

    [Fact]
    public async Task StartLoginDeadline_AfterAttachTo_NeverCloses()
    {
        var time = new ManualTimeProvider();
        await using var piped = new PipedSession(time: time).StartWriter();
        piped.Session.StartLoginDeadline(TimeSpan.FromMilliseconds(50), LoginTimeout);

        piped.Session.AttachTo(Presence());
        time.Advance(TimeSpan.FromHours(1));

        Assert.False(piped.Session.IsClosing);
        Assert.Equal(0, time.ScheduledTimers);
        Assert.False(piped.Writer!.IsCompleted);
        Assert.True(piped.Session.TryEnqueue(Pong("still-open")));
        Assert.Equal("still-open", Assert.IsType<PongReply>(Assert.Single(await piped.DrainAsync())).Id);
    }

    [Fact]
    public async Task StartLoginDeadline_OnTheSystemClock_ClosesTheSessionWithoutLogin()
    {
        await using var piped = new PipedSession(time: TimeProvider.System).StartWriter();

        piped.Session.StartLoginDeadline(TimeSpan.FromMilliseconds(50), LoginTimeout);

        Assert.Equal(ErrorCodes.LoginTimeout, (await piped.ReceiveAsync<ErrorReply>()).Code);
        await piped.WaitForWriterAsync();
        Assert.True(piped.Session.IsClosing);
    }

    [Fact]
    public async Task StartLoginDeadline_OfTheLongestLoginTimeoutTheValidatorAccepts_IsScheduledByTheSystemClock()
    {
        var longest = new ParleyServerOptions { LoginTimeoutSeconds = ParleyServerOptionsValidator.MaxLoginTimeoutSeconds };
        Assert.True(new ParleyServerOptionsValidator().Validate(null, longest).Succeeded);
        await using var piped = new PipedSession(time: TimeProvider.System);

        var thrown = Record.Exception(() => piped.Session.StartLoginDeadline(longest.LoginTimeout, LoginTimeout));

        Assert.Null(thrown);
        Assert.False(piped.Session.IsClosing);
    }

    [Fact]
    public async Task AttachTo_SetsTheUserAndPresence()
    {
        await using var piped = new PipedSession();
        var presence = Presence("bob");

        piped.Session.AttachTo(presence);

        Assert.Same(presence.User, piped.Session.User);
        Assert.Same(presence, piped.Session.Presence);
        Assert.Equal("bob", piped.Session.LogProperties()["User"]);
    }

    [Fact]
    public async Task CompleteOutbound_DrainsWhatIsQueuedWithoutAnError_AndRefusesMore()
    {
        await using var piped = new PipedSession().StartWriter();
        piped.Session.TryEnqueue(Pong("1"));
        piped.Session.TryEnqueue(Pong("2"));

        piped.Session.CompleteOutbound();

        Assert.True(piped.Session.IsClosing);
        Assert.False(piped.Session.TryEnqueue(Pong("3")));
        Assert.Equal(["1", "2"], (await piped.ReadToEndAsync()).Select(m => Assert.IsType<PongReply>(m).Id));
        Assert.True(piped.Session.Closing.IsCancellationRequested);
    }

    [Fact]
    public async Task RunWriterAsync_WhenThePeerStopsReading_EndsAndCancelsClosing()
    {
        await using var piped = new PipedSession().StartWriter();

        await piped.CompleteReaderAsync();
        piped.Session.TryEnqueue(Pong("1"));

        await piped.WaitForWriterAsync();
        Assert.True(piped.Session.IsClosing);
        Assert.True(piped.Session.Closing.IsCancellationRequested);
        Assert.False(piped.Session.TryEnqueue(Pong("2")));
    }
}
