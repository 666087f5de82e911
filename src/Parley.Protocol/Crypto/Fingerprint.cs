using System.Security.Cryptography;

namespace Parley.Protocol.Crypto;

/// <summary>
/// SHA-256 fingerprints as people compare them: upper-case hex pairs joined by colons,
/// the same form as <c>openssl x509 -noout -fingerprint -sha256</c> prints.
/// </summary>
public static class Fingerprint
{
    /// <summary>Fingerprint of a DER blob (a certificate, or a SubjectPublicKeyInfo).</summary>
    public static string Sha256(ReadOnlySpan<byte> der)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(der, hash);
        return Format(hash);
    }

    /// <summary>Formats raw hash bytes as <c>AB:CD:…</c>.</summary>
    public static string Format(ReadOnlySpan<byte> hash)
    {
        var hex = Convert.ToHexString(hash);
        return string.Create(hash.Length * 3 - 1, hex, static (span, hex) =>
        {
            for (int i = 0, j = 0; i < hex.Length; i += 2)
            {
                if (j > 0)
                {
                    span[j++] = ':';
                }

                span[j++] = hex[i];
                span[j++] = hex[i + 1];
            }
        });
    }

    /// <summary>
    /// Parses a fingerprint a person typed: with or without colons, any case, an optional <c>SHA256:</c> prefix.
    /// Returns false unless it is exactly 32 bytes of hex.
    /// </summary>
    public static bool TryNormalize(string? text, out string normalized)
    {
        normalized = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim();
        if (trimmed.StartsWith("SHA256:", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed["SHA256:".Length..];
        }

        var hex = trimmed.Replace(":", string.Empty, StringComparison.Ordinal);
        if (hex.Length != SHA256.HashSizeInBytes * 2)
        {
            return false;
        }

        try
        {
            normalized = Format(Convert.FromHexString(hex));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Compares two fingerprints in any accepted spelling, in constant time over their bytes.</summary>
    public static bool AreEqual(string? a, string? b)
    {
        if (!TryNormalize(a, out var left) || !TryNormalize(b, out var right))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(left), System.Text.Encoding.ASCII.GetBytes(right));
    }
}
