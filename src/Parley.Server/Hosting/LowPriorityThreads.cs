using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Parley.Server.Hosting;

/// <summary>
/// Dedicated threads for the CPU-heavy work of logging in (bcrypt, the RSA key exchange), below every normal thread.
/// A login storm may still use every idle core, but the scheduler hands a core to message routing the moment it has
/// work, so a storm slows logins rather than everyone's messages (docs/performance.md, login).
/// On Linux the threads run under SCHED_IDLE: a woken normal thread preempts them at once, where nice 10 still let
/// them finish a time slice first (dm p99 during a storm: 3.1–3.3 ms against 3.9–4.0 ms with nice 10). Elsewhere
/// they run at <see cref="ThreadPriority.Lowest"/>.
/// </summary>
internal sealed partial class LowPriorityThreads : IDisposable
{
    // Should SCHED_IDLE be refused (a seccomp policy, say), nice 19 is the next best thing.
    private const int FallbackNiceness = 19;
    private const int SchedIdle = 5;
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
            // .NET does not map thread priorities to Linux; the policy and nice apply per thread there, by thread id.
            var parameters = 0; // struct sched_param { int sched_priority; }, which must be 0 for SCHED_IDLE
            if (SchedSetScheduler(GetThreadId(), SchedIdle, ref parameters) != 0)
            {
                _ = SetPriority(PrioProcess, GetThreadId(), FallbackNiceness);
            }
        }
        else
        {
            Thread.CurrentThread.Priority = ThreadPriority.Lowest;
        }
    }

    [LibraryImport("libc", EntryPoint = "sched_setscheduler")]
    private static partial int SchedSetScheduler(int pid, int policy, ref int parameters);

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
