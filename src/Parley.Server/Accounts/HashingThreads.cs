using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Parley.Server.Accounts;

/// <summary>
/// Dedicated threads for bcrypt, below normal OS priority. bcrypt may use every core when a login storm comes, but
/// the scheduler then still gives message routing the CPU first, so a storm slows logins rather than everyone's
/// messages (docs/performance.md, login). Work is queued here only after PasswordHasher's bound admitted it.
/// </summary>
internal sealed partial class HashingThreads : IDisposable
{
    // nice 10: about a tenth of a normal thread's share of a busy core under Linux's scheduler.
    private const int Niceness = 10;

    private readonly BlockingCollection<Action> _work = new();

    public HashingThreads(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        for (var i = 0; i < count; i++)
        {
            new Thread(Run) { IsBackground = true, Name = $"parley-bcrypt-{i}" }.Start();
        }
    }

    public Task<T> RunAsync<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        });
        return done.Task;
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
            _ = SetPriority(PrioProcess, GetThreadId(), Niceness);
        }
        else
        {
            Thread.CurrentThread.Priority = ThreadPriority.BelowNormal;
        }
    }

    private const int PrioProcess = 0;

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
