namespace Parley.Bench.Platform;

/// <summary>
/// Raises RLIMIT_NOFILE before any connection opens: 10,000 client sockets need more than the usual 1,024 or
/// 20,000, and a server spawned afterwards inherits the raised limit. Root may raise the hard limit too.
/// </summary>
internal static class FileDescriptorLimit
{
    /// <summary>What the instrument asks for; the kernel's fs.nr_open caps it.</summary>
    public const ulong Wanted = 1_048_576;

    /// <summary>Raises the soft limit to the hard one, and both to <see cref="Wanted"/> where allowed; returns the soft limit in force.</summary>
    public static long Raise()
    {
        if (!OperatingSystem.IsLinux() || Native.GetRLimit(Native.RlimitNoFile, out var limit) != 0)
        {
            return -1;
        }

        var ceiling = Math.Min(Wanted, ReadNrOpen() ?? Wanted);
        if (limit.Maximum < ceiling)
        {
            var raised = new Native.RLimit { Current = ceiling, Maximum = ceiling };
            if (Native.SetRLimit(Native.RlimitNoFile, raised) == 0)
            {
                return (long)ceiling;
            }
        }

        if (limit.Current < limit.Maximum)
        {
            var soft = limit with { Current = limit.Maximum };
            if (Native.SetRLimit(Native.RlimitNoFile, soft) == 0)
            {
                return (long)soft.Current;
            }
        }

        return (long)limit.Current;
    }

    private static ulong? ReadNrOpen()
    {
        try
        {
            return ulong.TryParse(File.ReadAllText("/proc/sys/fs/nr_open").Trim(), out var value) ? value : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
