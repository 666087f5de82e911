using System.Globalization;
using System.Net;

namespace Parley.Bench.Targets;

/// <summary>
/// A <c>--target</c> URI: <c>parley://HOST:PORT</c> (later <c>xmpp://</c>, <c>mqtt://</c>). Only loopback hosts are
/// accepted: the instrument generates real load, and on a shared machine it must never aim it anywhere else.
/// </summary>
public sealed record TargetEndpoint(string Scheme, IPAddress Address, int Port)
{
    public string Host => Address.ToString();

    public override string ToString() => $"{Scheme}://{(Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]" : Address.ToString())}:{Port}";

    public static bool TryParse(string text, out TargetEndpoint? endpoint, out string error)
    {
        endpoint = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            error = $"'{text}' is not a target URI like parley://127.0.0.1:5001";
            return false;
        }

        if (uri.Port <= 0 || (uri.IsDefaultPort && !text.Contains($":{uri.Port}", StringComparison.Ordinal)))
        {
            error = $"'{text}' needs a port, e.g. {uri.Scheme}://127.0.0.1:5001";
            return false;
        }

        var host = uri.Host.Trim('[', ']');
        IPAddress? address = string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var parsed) ? parsed : null;
        if (address is null || !IPAddress.IsLoopback(address))
        {
            error = $"'{host}' is not a loopback address: the instrument only drives servers on this machine (127.0.0.0/8, ::1, localhost)";
            return false;
        }

        endpoint = new TargetEndpoint(uri.Scheme.ToLower(CultureInfo.InvariantCulture), address, uri.Port);
        error = string.Empty;
        return true;
    }
}
