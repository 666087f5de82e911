using System.Buffers;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Parley.Protocol;
using Parley.Protocol.Crypto;
using Parley.Protocol.Framing;
using Parley.Protocol.Messages;

namespace Parley.Microbench;

/// <summary>
/// One message's work on the server, step by step, for a 256-byte text: decode the sender's request, encode the
/// delivered message, seal it, and open it again (what the receiving side pays).
/// Seal and open use one key, so 2^36 bytes per key would end a very long run; BenchmarkDotNet's runs stay far below.
/// </summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private SessionKeys _keys = null!;
    private FrameSealer _sealer = null!;
    private FrameSealer _roundTripSealer = null!;
    private FrameOpener _opener = null!;
    private byte[] _requestJson = null!;
    private byte[] _deliveredJson = null!;
    private byte[] _sealedFrame = null!;
    private byte[] _plaintext = null!;
    private byte[] _headerFrame = null!;
    private ChatMessage _message = null!;

    [GlobalSetup]
    public void Setup()
    {
        _keys = SessionKeys.Derive(RandomNumberGenerator.GetBytes(ProtocolConstants.SessionSecretSize), new byte[32]);
        _sealer = _keys.CreateServerSealer();
        var text = new string('x', 256);
        _requestJson = ClientMessageCodec.Encode(new SendMessageRequest { Id = "12345", To = "bench000042", Payload = text });
        _message = new ChatMessage
        {
            MessageId = Guid.CreateVersion7().ToString(),
            From = "bench000007",
            FromId = Guid.CreateVersion7().ToString(),
            FromServer = "5e0c4f7a9b2d4e61a3f8c0d17b6e2a94",
            To = "bench000042",
            ToId = Guid.CreateVersion7().ToString(),
            Payload = text,
            Timestamp = DateTimeOffset.UtcNow,
        };
        _deliveredJson = ServerMessageCodec.Encode(_message);
        _roundTripSealer = _keys.CreateServerSealer();
        _opener = _keys.CreateClientOpener();
        _sealedFrame = new byte[FrameSealer.SealedFrameSize(_deliveredJson.Length)];
        _plaintext = new byte[_deliveredJson.Length];
        _headerFrame = new byte[_sealedFrame.Length];
        using var other = SessionKeys.Derive(RandomNumberGenerator.GetBytes(ProtocolConstants.SessionSecretSize), new byte[32]).CreateServerSealer();
        other.SealFrame(_deliveredJson, _headerFrame);
    }

    [Benchmark(Description = "decode message request (JSON)")]
    public ClientMessage? DecodeRequest()
    {
        ClientMessageCodec.TryDecode(_requestJson, out var message, out _);
        return message;
    }

    [Benchmark(Description = "encode delivered message (JSON)")]
    public byte[] EncodeMessage() => ServerMessageCodec.Encode(_message);

    [Benchmark(Description = "seal frame (AES-256-GCM)")]
    public int Seal()
    {
        _output.ResetWrittenCount();
        _sealer.WriteFrame(_output, _deliveredJson);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "seal + open round trip (AES-256-GCM)")]
    public bool SealAndOpen()
    {
        // A sealer and an opener of one direction advance their counters together, as on a connection.
        var size = _roundTripSealer.SealFrame(_deliveredJson, _sealedFrame);
        return _opener.TryOpen(_sealedFrame.AsSpan(ProtocolConstants.LengthPrefixSize, size - ProtocolConstants.LengthPrefixSize), _plaintext);
    }

    [Benchmark(Description = "read frame header")]
    public FrameReadStatus ReadFrame()
    {
        // Only the header is parsed; the body is sliced, not copied.
        var sequence = new ReadOnlySequence<byte>(_headerFrame);
        return FrameReader.TryRead(ref sequence, ProtocolConstants.DefaultMaxFrameBytes, out _, out _);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sealer.Dispose();
        _roundTripSealer.Dispose();
        _opener.Dispose();
    }
}
