using System.Runtime.InteropServices;

namespace Parley.Bench.Platform;

/// <summary>The few libc calls the instrument needs on Linux; every caller checks <see cref="OperatingSystem.IsLinux"/>.</summary>
internal static partial class Native
{
    public const int RlimitNoFile = 7;
    public const int SigTerm = 15;
    public const int PrSetTimerSlack = 29;
    public const int ScClkTck = 2;

    private const string Libc = "libc.so.6";

    [StructLayout(LayoutKind.Sequential)]
    public struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport(Libc, EntryPoint = "getrlimit", SetLastError = true)]
    public static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport(Libc, EntryPoint = "setrlimit", SetLastError = true)]
    public static partial int SetRLimit(int resource, in RLimit limit);

    [LibraryImport(Libc, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport(Libc, EntryPoint = "nanosleep", SetLastError = true)]
    public static partial int NanoSleep(in TimeSpec request, IntPtr remaining);

    [LibraryImport(Libc, EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Libc, EntryPoint = "sysconf")]
    public static partial long SysConf(int name);
}
