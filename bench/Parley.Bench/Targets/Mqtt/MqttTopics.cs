namespace Parley.Bench.Targets.Mqtt;

/// <summary>
/// One topic per user, as the Mosquitto peer's ACL grants (bench/peers/mosquitto.sh: <c>pattern read u/%u</c>,
/// <c>pattern write u/+</c>): user i subscribes to <c>u/user{i}</c>, and a message for user j is published to
/// <c>u/user{j}</c>. Topic strings are made once and shared, so a publish allocates none.
/// </summary>
internal sealed class MqttTopics(PeerAccounts accounts)
{
    public const string Prefix = "u/";

    private readonly Lock _grow = new();
    private string[] _topics = [];

    public static string For(string user)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        if (user.AsSpan().IndexOfAny('+', '#', '/') >= 0 || user.Contains('\0', StringComparison.Ordinal))
        {
            // MQTT 3.1.1 §4.7: '+', '#' are wildcards and '/' a level separator; a user name with them is no single topic.
            throw new ArgumentException($"user name '{user}' cannot be one MQTT topic level", nameof(user));
        }

        return Prefix + user;
    }

    public string this[int index]
    {
        get
        {
            var topics = Volatile.Read(ref _topics);
            return (uint)index < (uint)topics.Length ? topics[index] : Grow(index);
        }
    }

    private string Grow(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        lock (_grow)
        {
            var topics = _topics;
            if (index >= topics.Length)
            {
                var grown = new string[Math.Max(index + 1, topics.Length * 2)];
                topics.CopyTo(grown, 0);
                for (var i = topics.Length; i < grown.Length; i++)
                {
                    grown[i] = For(accounts[i]);
                }

                Volatile.Write(ref _topics, grown);
                topics = grown;
            }

            return topics[index];
        }
    }
}
