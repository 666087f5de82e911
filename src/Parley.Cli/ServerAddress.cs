using System.Globalization;
using System.Net;
using Parley.Client;

namespace Parley.Cli;

/// <summary>A <c>HOST[:PORT]</c> as typed: <c>chat.example</c>, <c>chat.example:5001</c>, <c>[::1]:5001</c>, <c>::1</c>.</summary>
internal sealed record ServerAddress(string Host, int Port)
{
    public static ServerAddress Default { get; } = new("localhost", ParleyClientOptions.DefaultPort);

    public static bool TryParse(string? text, out ServerAddress address, out string error)
    {
        address = Default;
        var value = text?.Trim() ?? string.Empty;
        if (value.Length == 0)
        {
            error = "the server is empty; expected HOST:PORT";
            return false;
        }

        string host;
        string? port = null;
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || (close + 1 < value.Length && value[close + 1] != ':'))
            {
                error = $"'{value}' is not HOST:PORT; write an IPv6 address as [ADDRESS]:PORT";
                return false;
            }

            host = value[1..close];
            port = close + 1 < value.Length ? value[(close + 2)..] : null;
        }
        else if (value.Count(c => c == ':') > 1)
        {
            // A bare IPv6 address has no room for a port.
            host = value;
        }
        else
        {
            var colon = value.IndexOf(':', StringComparison.Ordinal);
            host = colon < 0 ? value : value[..colon];
            port = colon < 0 ? null : value[(colon + 1)..];
        }

        if (host.Length == 0 || Uri.CheckHostName(host) == UriHostNameType.Unknown
            || (value.StartsWith('[') && !IPAddress.TryParse(host, out _)))
        {
            error = $"'{value}' does not name a host; expected HOST:PORT, e.g. localhost:{ParleyClientOptions.DefaultPort}";
            return false;
        }

        var number = ParleyClientOptions.DefaultPort;
        if (port is not null
            && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number is < 1 or > 65535))
        {
            error = $"'{port}' is not a port; it must be a number from 1 to 65535";
            return false;
        }

        address = new ServerAddress(host, number);
        error = string.Empty;
        return true;
    }

    public override string ToString() => KnownServersFile.FormatEndpoint(Host, Port);
}
