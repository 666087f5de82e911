using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Parley.Server.Routing;

/// <summary>
/// UUIDv7 message ids (RFC 9562 §5.7: 48-bit Unix milliseconds, then 74 random bits) whose random bits come from a
/// per-thread buffer filled by the CSPRNG 4 KB at a time. <see cref="Guid.CreateVersion7(DateTimeOffset)"/> asks the
/// OS for 16 bytes per id, a system call on every message routed (docs/performance.md, step 4).
/// </summary>
internal static class MessageIds
{
    private const int RandomBytesPerId = 10;
    private const int BufferBytes = 4096 - (4096 % RandomBytesPerId);

    [ThreadStatic]
    private static byte[]? t_random;

    [ThreadStatic]
    private static int t_used;

    public static Guid Next(DateTimeOffset now)
    {
        var milliseconds = now.ToUnixTimeMilliseconds();
        if (milliseconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(now), "A UUIDv7 cannot hold a time before 1970.");
        }

        var random = TakeRandom();
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes[..8], milliseconds << 16); // the low 48 bits, in bytes 0–5
        random.CopyTo(bytes[6..]);
        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F)); // version 7
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F)); // variant 10xx
        return new Guid(bytes, bigEndian: true);
    }

    private static ReadOnlySpan<byte> TakeRandom()
    {
        var buffer = t_random ??= new byte[BufferBytes];
        if (t_used == 0 || t_used == BufferBytes)
        {
            RandomNumberGenerator.Fill(buffer);
            t_used = 0;
        }

        var taken = buffer.AsSpan(t_used, RandomBytesPerId);
        t_used += RandomBytesPerId;
        return taken;
    }
}
