using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Parley.Server.Hosting;

/// <summary>
/// Dedicated threads for the CPU-heavy work of logging in (bcrypt, the RSA key exchange), below normal priority.
/// A login storm may still use every idle core, but the scheduler gives message routing the CPU first, so a storm
/// slows logins rather than everyone's messages (docs/performance.md, login). On Linux the threads run at nice 10,
/// about a tenth of a normal thread's share of a busy core, with the shortest time slice (<see cref="ShortTimeSlice"/>)
/// so that a routing thread that wakes behind one need not wait out its slice. Not SCHED_IDLE: that was kinder to
/// routing in one build (pinned storm p99 1.0–1.5× its baseline against 2.05–2.19× at nice 10), but it starves logins
/// outright whenever anything else on the machine keeps the cores busy (beside two CPU hogs, key exchanges missed
/// their deadline). Nice 19 measured worse than 10 (3.3–3.7×). Elsewhere BelowNormal.
/// </summary>
internal sealed partial class LowPriorityThreads : IDisposable
{
    private const int Niceness = 10;
    private const int PrioProcess = 0;

    private readonly BlockingCollection<Action> _work = new();

    public LowPriorityThreads(string name, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        for (var i = 0; i < count; i++)
        {
            new Thread(Run) { IsBackground = true, Name = $"{name}-{i}" }.Start();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on one of the threads. When <paramref name="cancellationToken"/> fires (a deadline
    /// passed, the connection went away) the caller stops waiting at once, and work not started yet is dropped unrun.
    /// </summary>
    public Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            if (cancellationToken.IsCancellationRequested)
            {
                done.SetCanceled(cancellationToken);
                return;
            }

            try
            {
                done.SetResult(work());
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        }, CancellationToken.None);
        return done.Task.WaitAsync(cancellationToken);
    }

    public void Dispose() => _work.CompleteAdding();

    private void Run()
    {
        LowerThisThreadsPriority();
        foreach (var item in _work.GetConsumingEnumerable())
        {
            item();
        }
    }

    private static void LowerThisThreadsPriority()
    {
        if (OperatingSystem.IsLinux())
        {
            // .NET does not map thread priorities to Linux; nice applies per thread there, by thread id.
            var threadId = GetThreadId();
            _ = SetPriority(PrioProcess, threadId, Niceness);
            ShortTimeSlice.Request(threadId, Niceness);
        }
        else
        {
            Thread.CurrentThread.Priority = ThreadPriority.BelowNormal;
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
