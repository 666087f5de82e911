using System.Text;
using Parley.Protocol.Crypto;

namespace Parley.Client;

/// <summary>One line of a <see cref="KnownServersFile"/>.</summary>
/// <param name="Endpoint">The server as <c>host:port</c> (see <see cref="KnownServersFile.FormatEndpoint"/>).</param>
/// <param name="Fingerprint">SHA-256 fingerprint of its certificate, normalized.</param>
public sealed record KnownServer(string Endpoint, string Fingerprint);

/// <summary>
/// Certificates trusted on first use, like ssh's known_hosts: one <c>host:port FINGERPRINT</c> per line, where the
/// fingerprint is the SHA-256 of the certificate's DER as <see cref="Fingerprint"/> formats it; blank lines and
/// <c>#</c> comments are kept. Changes rewrite the file atomically (write a temporary file, then rename), created
/// with mode 0600 on Unix. Lines this class cannot parse are kept and otherwise ignored.
/// </summary>
public sealed class KnownServersFile
{
    private const string Header = "# Parley known servers: host:port SHA-256-certificate-fingerprint. Remove a line to forget a server.";

    // One writer at a time inside this process; the rename keeps readers in any process from seeing half a file.
    private static readonly Lock WriteLock = new();

    /// <summary>Uses the file at <paramref name="path"/>, which need not exist yet.</summary>
    public KnownServersFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>Full path of the file.</summary>
    public string Path { get; }

    /// <summary>
    /// The key a server is recorded under: <c>host:port</c>, host in lower case without a trailing dot, an IPv6
    /// address in brackets.
    /// </summary>
    public static string FormatEndpoint(string host, int port)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        var name = host.Trim().TrimEnd('.').ToLowerInvariant();
        if (name.StartsWith('[') && name.EndsWith(']'))
        {
            name = name[1..^1];
        }

        return name.Contains(':', StringComparison.Ordinal) ? $"[{name}]:{port}" : $"{name}:{port}";
    }

    /// <summary>Every well-formed entry, in file order. A missing file has none.</summary>
    public IReadOnlyList<KnownServer> ReadAll()
    {
        var entries = new List<KnownServer>();
        foreach (var line in ReadLines())
        {
            if (TryParse(line, out var entry))
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <summary>Fingerprints recorded for a server (usually zero or one).</summary>
    public IReadOnlyList<string> Lookup(string host, int port)
    {
        var endpoint = FormatEndpoint(host, port);
        return ReadAll()
            .Where(e => string.Equals(e.Endpoint, endpoint, StringComparison.Ordinal))
            .Select(e => e.Fingerprint)
            .ToList();
    }

    /// <summary>
    /// Records <paramref name="fingerprint"/> for a server. Returns false when exactly that entry is already there.
    /// Existing lines, comments included, are kept as they were.
    /// </summary>
    public bool Add(string host, int port, string fingerprint)
    {
        if (!Fingerprint.TryNormalize(fingerprint, out var normalized))
        {
            throw new ArgumentException("Not a SHA-256 fingerprint.", nameof(fingerprint));
        }

        var endpoint = FormatEndpoint(host, port);
        lock (WriteLock)
        {
            var lines = ReadLines();
            foreach (var line in lines)
            {
                if (TryParse(line, out var entry) && entry.Endpoint == endpoint && entry.Fingerprint == normalized)
                {
                    return false;
                }
            }

            if (lines.Count == 0)
            {
                lines.Add(Header);
            }

            lines.Add($"{endpoint} {normalized}");
            WriteAtomically(lines);
            return true;
        }
    }

    /// <summary>Removes every entry for a server; returns how many lines went.</summary>
    public int Remove(string host, int port)
    {
        var endpoint = FormatEndpoint(host, port);
        lock (WriteLock)
        {
            var lines = ReadLines();
            var removed = lines.RemoveAll(line => TryParse(line, out var entry) && entry.Endpoint == endpoint);
            if (removed > 0)
            {
                WriteAtomically(lines);
            }

            return removed;
        }
    }

    private static bool TryParse(string line, out KnownServer entry)
    {
        entry = null!;
        var text = line.Trim();
        if (text.Length == 0 || text[0] == '#')
        {
            return false;
        }

        var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !Fingerprint.TryNormalize(parts[1], out var fingerprint))
        {
            return false;
        }

        entry = new KnownServer(parts[0].ToLowerInvariant(), fingerprint);
        return true;
    }

    private List<string> ReadLines()
    {
        try
        {
            return [.. File.ReadAllLines(Path, Encoding.UTF8)];
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }
    }

    private void WriteAtomically(List<string> lines)
    {
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        PrivateFiles.EnsureDirectory(directory);
        PrivateFiles.WriteAtomically(Path, string.Join('\n', lines) + "\n");
    }
}

/// <summary>Files only their owner may read: created 0600 in a 0700 directory on Unix, replaced by rename.</summary>
internal static class PrivateFiles
{
    public static void EnsureDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public static void WriteAtomically(string path, string contents)
    {
        var directory = System.IO.Path.GetDirectoryName(path)!;
        var temporary = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(contents);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
