namespace Parley.Cli;

/// <summary>Exit codes of <c>parley</c>.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>The command ran and failed: refused, unreachable, untrusted, timed out, recipient unknown.</summary>
    public const int Failure = 1;

    /// <summary>The command line (or an environment variable standing in for it) was wrong or lacks an input.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted by Ctrl-C before it was done.</summary>
    public const int Interrupted = 130;
}

/// <summary>A failure the CLI explains in one line: <c>parley: Message</c>, or <c>{"error":Code,...}</c> with --json.</summary>
internal class CliException(string code, string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    public string Code { get; } = code;

    public int ExitCode { get; } = exitCode;
}

/// <summary>Bad or missing input: exit code 2.</summary>
internal sealed class CliUsageException(string message) : CliException("usage", message, ExitCodes.Usage);
