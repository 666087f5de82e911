using System.Runtime.InteropServices;

namespace Parley.Server.Hosting;

/// <summary>
/// Asks Linux for the shortest time slice (0.1 ms) for the calling thread, keeping its nice value. Since Linux 6.12
/// the fair scheduler (EEVDF) lets a running thread finish its slice before a thread that woke behind it runs; for a
/// bcrypt thread that is the default slice (1.4 ms on a 2-core machine), and every message that arrives during a
/// login storm waits for it. With the shortest slice the routing thread runs within 0.1 ms (docs/performance.md,
/// step 5). Older kernels and other systems keep their behaviour: the request is refused or not made.
/// </summary>
internal static partial class ShortTimeSlice
{
    public const ulong SliceNanoseconds = 100_000;

    private const int SchedNormal = 0;
    private const uint SchedAttrSizeVer0 = 48;

    /// <summary>Requests the slice for the thread; a system that does not take it leaves the thread as it was.</summary>
    public static void Request(int threadId, int niceness)
    {
        if (!OperatingSystem.IsLinux() || SchedSetAttrNumber() is not { } number)
        {
            return;
        }

        var attributes = new SchedAttr { Size = SchedAttrSizeVer0, Policy = SchedNormal, Nice = niceness, Runtime = SliceNanoseconds };
        _ = Syscall(number, threadId, ref attributes, 0);
    }

    private static long? SchedSetAttrNumber() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 314,
        Architecture.Arm64 => 274,
        _ => null,
    };

    /// <summary><c>struct sched_attr</c>, version 0 (include/uapi/linux/sched/types.h); for SCHED_OTHER the runtime is the slice.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SchedAttr
    {
        public uint Size;
        public uint Policy;
        public ulong Flags;
        public int Nice;
        public uint Priority;
        public ulong Runtime;
        public ulong Deadline;
        public ulong Period;
    }

    // glibc has no sched_setattr wrapper; syscall(2) passes the arguments in registers on both architectures above.
    [LibraryImport("libc", EntryPoint = "syscall")]
    private static partial long Syscall(long number, int threadId, ref SchedAttr attributes, uint flags);
}
