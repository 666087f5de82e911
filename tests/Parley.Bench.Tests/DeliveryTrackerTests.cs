using Parley.Bench.Metrics;

namespace Parley.Bench.Tests;

public sealed class DeliveryTrackerTests
{
    [Fact]
    public void Record_EachOnceInOrder_CountsDeliveredAndNothingElse()
    {
        var tracker = new DeliveryTracker(messageCount: 4, windowFirst: 0, receivers: 2);

        Assert.Equal(Arrival.InOrder, tracker.Record(1, 0, 0));
        Assert.Equal(Arrival.InOrder, tracker.Record(1, 0, 1));
        Assert.Equal(Arrival.InOrder, tracker.Record(0, 1, 2));
        Assert.Equal(Arrival.InOrder, tracker.Record(0, 1, 3));

        Assert.Equal(4, tracker.Delivered);
        Assert.Equal(0, tracker.Duplicates);
        Assert.Equal(0, tracker.Reordered);
        Assert.Equal(0, tracker.Lost(4));
    }

    [Fact]
    public void Record_SameSequenceTwice_IsADuplicate_NotASecondDelivery()
    {
        var tracker = new DeliveryTracker(3, 0, 2);
        tracker.Record(1, 0, 0);

        Assert.Equal(Arrival.Duplicate, tracker.Record(1, 0, 0));
        Assert.Equal(1, tracker.Delivered);
        Assert.Equal(1, tracker.Duplicates);
        Assert.Equal(2, tracker.Arrivals);
    }

    [Fact]
    public void Record_OlderAfterNewerFromTheSameSender_IsReordered()
    {
        var tracker = new DeliveryTracker(10, 0, 2);
        tracker.Record(1, 0, 5);

        Assert.Equal(Arrival.Reordered, tracker.Record(1, 0, 3));
        Assert.Equal(Arrival.InOrder, tracker.Record(1, 0, 7));
        Assert.Equal(1, tracker.Reordered);
        Assert.Equal(3, tracker.Delivered);
    }

    [Fact]
    public void Record_OrderIsOnlyPromisedPerPair_OtherPairsDoNotCount()
    {
        var tracker = new DeliveryTracker(10, 0, 3);

        // Sender 0 sent 5 to receiver 1 and then 6 to receiver 2; sender 2 sent 4 to receiver 1.
        tracker.Record(2, 0, 6);
        Assert.Equal(Arrival.InOrder, tracker.Record(1, 0, 5));
        Assert.Equal(Arrival.InOrder, tracker.Record(1, 2, 4));
        Assert.Equal(0, tracker.Reordered);
    }

    [Fact]
    public void Lost_IsSentMinusDistinctDelivered()
    {
        var tracker = new DeliveryTracker(5, 0, 2);
        tracker.Record(1, 0, 0);
        tracker.Record(1, 0, 2);
        tracker.Record(1, 0, 2);

        Assert.Equal(3, tracker.Lost(5));
    }

    [Fact]
    public void Record_WarmupMessages_AreTrackedButNotCounted()
    {
        var tracker = new DeliveryTracker(messageCount: 6, windowFirst: 3, receivers: 2);
        tracker.Record(1, 0, 0);
        tracker.Record(1, 0, 0);
        tracker.Record(1, 0, 4);
        tracker.Record(1, 0, 2);

        Assert.Equal(1, tracker.Delivered);
        Assert.Equal(3, tracker.DeliveredAll);
        Assert.Equal(0, tracker.Duplicates);
        Assert.Equal(0, tracker.Reordered);
        Assert.Equal(3, tracker.WindowCount);
        Assert.Equal(2, tracker.Lost(3));
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(6, 0)]
    [InlineData(0, 5)]
    public void Record_SequenceOrReceiverOutOfRange_IsUnknown(long sequence, int receiver)
    {
        var tracker = new DeliveryTracker(6, 0, 2);

        Assert.Equal(Arrival.Unknown, tracker.Record(receiver, 0, sequence));
        Assert.Equal(1, tracker.Unknown);
        Assert.Equal(0, tracker.Arrivals);
    }

    [Fact]
    public async Task Record_FromManyReceiversAtOnce_CountsEveryMessageOnce()
    {
        const int Receivers = 8;
        const int PerReceiver = 20_000;
        var tracker = new DeliveryTracker(Receivers * PerReceiver, 0, Receivers);

        // Each receiver gets its own sequences, and every one of them a second time.
        await Task.WhenAll(Enumerable.Range(0, Receivers).Select(r => Task.Run(() =>
        {
            for (var i = 0; i < PerReceiver; i++)
            {
                tracker.Record(r, (r + 1) % Receivers, (long)i * Receivers + r);
            }

            for (var i = 0; i < PerReceiver; i++)
            {
                tracker.Record(r, (r + 1) % Receivers, (long)i * Receivers + r);
            }
        })));

        Assert.Equal(Receivers * PerReceiver, tracker.Delivered);
        Assert.Equal(Receivers * PerReceiver, tracker.Duplicates);
        Assert.Equal(0, tracker.Reordered);
    }
}
