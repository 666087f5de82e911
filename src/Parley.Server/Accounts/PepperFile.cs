using System.Security.Cryptography;

namespace Parley.Server.Accounts;

/// <summary>
/// The server-wide secret mixed into every password hash, kept outside the database so a stolen database alone
/// cannot be brute-forced. Losing or changing it makes every stored password unverifiable.
/// </summary>
public static class PepperFile
{
    public const int Length = 32;

    /// <summary>Reads the pepper at <paramref name="path"/>, creating it (owner read/write only) on first use.</summary>
    public static byte[] LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            TryCreate(path);
        }

        return Load(path);
    }

    private static void TryCreate(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        // Write a private temp file and move it into place without overwriting, so a concurrent starter
        // never reads a half-written pepper and two starters agree on whichever landed first.
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var writer = new StreamWriter(temp, options))
            {
                writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(Length)));
            }

            File.Move(temp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first; use theirs.
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static byte[] Load(string path)
    {
        var text = File.ReadAllText(path).Trim();
        var pepper = new byte[Length];
        if (!Convert.TryFromBase64String(text, pepper, out var written) || written != Length)
        {
            throw new InvalidDataException(
                $"Pepper file '{path}' is corrupt: it must hold the base64 of exactly {Length} bytes. " +
                "Restore it from a backup; replacing it makes every stored password unverifiable.");
        }

        return pepper;
    }
}
