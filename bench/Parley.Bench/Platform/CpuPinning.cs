using System.Diagnostics;

namespace Parley.Bench.Platform;

/// <summary>
/// Pinning with taskset, so "per server core" figures are clean on a small machine: the server runs under
/// <c>taskset -c SERVER_CPUS</c>, and the generator re-executes itself under <c>taskset -c CLIENT_CPUS</c> before
/// it starts a thread of its own (setting affinity from inside would leave the runtime's early threads unpinned).
/// </summary>
internal static class CpuPinning
{
    private const string PinnedVariable = "PARLEY_BENCH_PINNED";

    /// <summary>Parses a CPU list as taskset and /proc print it: <c>0</c>, <c>0-3</c>, <c>0,2-3</c>.</summary>
    public static IReadOnlyList<int> ParseList(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        var cpus = new SortedSet<int>();
        foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            var first = int.Parse(dash < 0 ? part : part[..dash], System.Globalization.CultureInfo.InvariantCulture);
            var last = dash < 0 ? first : int.Parse(part[(dash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            if (first < 0 || last < first)
            {
                throw new FormatException($"'{part}' is not a CPU or CPU range.");
            }

            for (var cpu = first; cpu <= last; cpu++)
            {
                cpus.Add(cpu);
            }
        }

        if (cpus.Count == 0)
        {
            throw new FormatException("The CPU list is empty.");
        }

        return [.. cpus];
    }

    /// <summary>The CPUs a process may run on, from /proc/PID/status; null when unknown.</summary>
    public static IReadOnlyList<int>? AllowedCpus(int pid)
    {
        var value = ProcFsValue(pid, "Cpus_allowed_list:");
        try
        {
            return value is null ? null : ParseList(value);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The command prefix that pins a child process, or nothing.</summary>
    public static IReadOnlyList<string> Prefix(string? cpus) => cpus is null ? [] : ["taskset", "-c", cpus];

    /// <summary>
    /// When this process should run on <paramref name="cpus"/> but does not, runs itself again under taskset and
    /// returns the child's exit code; null when already pinned (or nothing was asked).
    /// </summary>
    public static async Task<int?> ReexecPinnedAsync(string? cpus, IReadOnlyList<string> args)
    {
        if (cpus is null || !OperatingSystem.IsLinux())
        {
            return null;
        }

        var wanted = ParseList(cpus);
        var allowed = AllowedCpus(Environment.ProcessId);
        if (Environment.GetEnvironmentVariable(PinnedVariable) == cpus || (allowed is not null && allowed.SequenceEqual(wanted)))
        {
            return null;
        }

        var start = new ProcessStartInfo("taskset") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(cpus);
        start.ArgumentList.Add(Environment.ProcessPath!);
        if (IsDotnetHost(Environment.ProcessPath))
        {
            start.ArgumentList.Add(typeof(CpuPinning).Assembly.Location);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment[PinnedVariable] = cpus;
        using var child = Process.Start(start) ?? throw new InvalidOperationException("taskset did not start.");
        await child.WaitForExitAsync();
        return child.ExitCode;
    }

    /// <summary>True when <paramref name="path"/> is the shared <c>dotnet</c> host rather than an app host.</summary>
    public static bool IsDotnetHost(string? path) =>
        path is not null && Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase);

    private static string? ProcFsValue(int pid, string key)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    return line[key.Length..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }
}
