using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Parley.Protocol.Crypto;

namespace Parley.Bench.Targets.Floor;

/// <summary>
/// The floor's server, run as <c>parley-bench floor-server</c> in a child process so it is sampled like parley-server:
/// TLS over TCP, and every length-prefixed message written straight back, one write per message. Nothing else:
/// no framing layer of its own, no second encryption, no JSON, no routing. It prints one line,
/// <c>floor-server listening HOST:PORT fingerprint FP</c>, then serves until it is sent SIGTERM.
/// </summary>
internal static class FloorEchoServer
{
    public const string Command = "floor-server";

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var bind = IPAddress.Loopback;
        var port = 0;
        for (var i = 0; i + 1 < args.Count; i += 2)
        {
            switch (args[i])
            {
                case "--bind":
                    bind = IPAddress.Parse(args[i + 1]);
                    break;
                case "--port":
                    port = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                default:
                    await Console.Error.WriteLineAsync($"floor-server: unknown option {args[i]}");
                    return 2;
            }
        }

        if (!IPAddress.IsLoopback(bind))
        {
            await Console.Error.WriteLineAsync("floor-server: binds to loopback addresses only");
            return 2;
        }

        using var certificate = FloorTls.CreateCertificate();
        using var listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(bind, port));
        listener.Listen(4096);
        var local = (IPEndPoint)listener.LocalEndPoint!;
        Console.Out.WriteLine($"{Command} listening {local} fingerprint {Fingerprint.Sha256(certificate.RawData)}");
        Console.Out.Flush();
        if (Console.IsInputRedirected)
        {
            // The parent holds our stdin: when it goes away, even killed, so does this server.
            // A thread of its own: Console.In's async read blocks the thread it runs on, and with one CPU (pinned)
            // the thread pool has one thread to start with, so a pool thread parked here stalled every connection.
            new Thread(() =>
            {
                Console.In.ReadToEnd();
                Environment.Exit(0);
            })
            { IsBackground = true, Name = "parent watch" }.Start();
        }

        while (true)
        {
            var socket = await listener.AcceptAsync();
            socket.NoDelay = true;
            _ = Task.Run(() => ServeAsync(socket, certificate));
        }
    }

    private static async Task ServeAsync(Socket socket, X509Certificate2 certificate)
    {
        await using var stream = new SslStream(new NetworkStream(socket, ownsSocket: true));
        try
        {
            await stream.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = certificate,
                EnabledSslProtocols = FloorTls.Protocols,
                // As parley-server: no server-side policy (it would cost an OpenSSL context per connection); the
                // floor's clients offer only FloorTls.CipherSuites, so those are what is negotiated.
                ClientCertificateRequired = false,
            });
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true, useZeroByteReads: true));
            while (true)
            {
                var result = await reader.ReadAsync();
                var buffer = result.Buffer;
                try
                {
                    while (TryTakeFrame(ref buffer, out var frame))
                    {
                        // One write per message, the prefix included: the floor of what any server must do per message.
                        var length = (int)frame.Length;
                        var echo = ArrayPool<byte>.Shared.Rent(length);
                        frame.CopyTo(echo);
                        await stream.WriteAsync(echo.AsMemory(0, length));
                        ArrayPool<byte>.Shared.Return(echo);
                    }

                    if (result.IsCompleted)
                    {
                        return;
                    }
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or System.Security.Authentication.AuthenticationException or InvalidDataException)
        {
            // The client went away or broke the framing: this connection ends, the server goes on.
        }
    }

    /// <summary>Takes one whole frame, prefix included, off the front of <paramref name="buffer"/>.</summary>
    internal static bool TryTakeFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (buffer.Length < FloorTls.PrefixLength)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[FloorTls.PrefixLength];
        buffer.Slice(0, FloorTls.PrefixLength).CopyTo(prefix);
        var length = FloorTls.ReadPrefix(prefix);
        if (length is <= 0 or > FloorTls.MaxMessage)
        {
            throw new InvalidDataException($"bad floor frame length {length}");
        }

        if (buffer.Length < FloorTls.PrefixLength + length)
        {
            return false;
        }

        frame = buffer.Slice(0, FloorTls.PrefixLength + length);
        buffer = buffer.Slice(frame.End);
        return true;
    }
}
