using System.Globalization;

namespace Parley.Bench.Targets;

/// <summary>
/// The accounts the peer scripts make (bench/peers/README.md): <c>user0 … user{N-1}</c>, one password. Both follow
/// the scripts' own <c>PEER_USER_PREFIX</c> and <c>PEER_PASSWORD</c> variables, so a changed environment changes
/// both sides alike. Names are made once and shared by every client (a send looks up its peer's name).
/// </summary>
internal sealed class PeerAccounts
{
    public const string DefaultPrefix = "user";
    public const string DefaultPassword = "Bench-Pass-123";

    private readonly Lock _grow = new();
    private string[] _names = [];

    public PeerAccounts(string prefix, string password)
    {
        Prefix = prefix;
        Password = password;
    }

    public string Prefix { get; }

    public string Password { get; }

    public static PeerAccounts FromEnvironment() => new(
        Environment.GetEnvironmentVariable("PEER_USER_PREFIX") is { Length: > 0 } prefix ? prefix : DefaultPrefix,
        Environment.GetEnvironmentVariable("PEER_PASSWORD") is { Length: > 0 } password ? password : DefaultPassword);

    public string this[int index]
    {
        get
        {
            var names = Volatile.Read(ref _names);
            return (uint)index < (uint)names.Length ? names[index] : Grow(index);
        }
    }

    private string Grow(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        lock (_grow)
        {
            var names = _names;
            if (index >= names.Length)
            {
                var grown = new string[Math.Max(index + 1, names.Length * 2)];
                names.CopyTo(grown, 0);
                for (var i = names.Length; i < grown.Length; i++)
                {
                    grown[i] = Prefix + i.ToString(CultureInfo.InvariantCulture);
                }

                Volatile.Write(ref _names, grown);
                names = grown;
            }

            return names[index];
        }
    }
}
