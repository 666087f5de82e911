using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Parley.Server.Configuration;

/// <summary>Refuses a configuration that cannot work, at start-up, with a message naming the setting.</summary>
internal sealed class ParleyServerOptionsValidator : IValidateOptions<ParleyServerOptions>
{
    public const int MaxLoginTimeoutSeconds = 86_400;

    public ValidateOptionsResult Validate(string? name, ParleyServerOptions o)
    {
        var failures = new List<string>();
        if (!IPAddress.TryParse(o.Bind, out _))
        {
            failures.Add($"Bind: '{o.Bind}' is not an IP address.");
        }

        Check(o.Port is >= 0 and <= 65535, "Port must be 0 to 65535.");
        Check(o.BcryptCost is >= 4 and <= 31, "BcryptCost must be 4 to 31.");
        Check(Enum.IsDefined(o.PasswordPolicy), "PasswordPolicy must be classic or nist.");
        Check(o.MaxConcurrentHashes >= 1, "MaxConcurrentHashes must be at least 1.");
        Check(o.MaxFrameBytes is >= 4096 and <= 64 * 1024 * 1024, "MaxFrameBytes must be 4096 to 67108864.");
        Check(o.MaxTextBytes >= 1 && o.MaxTextBytes <= o.MaxFrameBytes / 2,
            "MaxTextBytes must be at least 1 and at most half of MaxFrameBytes (JSON escaping can double a text).");
        Check(o.OutboundQueueLength >= 16, "OutboundQueueLength must be at least 16.");
        Check(o.HandshakeTimeoutSeconds is >= 1 and <= 300, "HandshakeTimeoutSeconds must be 1 to 300.");
        // The login deadline is a timer, and timers cannot wait past ~49.7 days; a day is already far more than a login needs.
        Check(o.LoginTimeoutSeconds >= o.HandshakeTimeoutSeconds && o.LoginTimeoutSeconds <= MaxLoginTimeoutSeconds,
            $"LoginTimeoutSeconds must be at least HandshakeTimeoutSeconds and at most {MaxLoginTimeoutSeconds} (a day).");
        Check(o.MaxLoginAttempts >= 1, "MaxLoginAttempts must be at least 1.");
        Check(o.PresenceDelayMilliseconds is >= 0 and <= 1000, "PresenceDelayMilliseconds must be 0 to 1000.");
        Check(!string.IsNullOrWhiteSpace(o.ServerName) && o.ServerName.Length <= 64, "ServerName must be 1 to 64 characters.");
        Check(o.ServerId is null || o.ServerId.Length is > 0 and <= 64, "ServerId must be 1 to 64 characters.");
        Check(string.IsNullOrEmpty(o.CertificateKeyPath) || !string.IsNullOrEmpty(o.CertificatePath),
            "CertificateKeyPath needs CertificatePath.");
        if (!IsIPv4(o.VirtualIpFirst) || !IsIPv4(o.VirtualIpLast))
        {
            failures.Add("VirtualIpFirst and VirtualIpLast must be IPv4 addresses.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Check(bool ok, string failure)
        {
            if (!ok)
            {
                failures.Add(failure);
            }
        }
    }

    private static bool IsIPv4(string text) =>
        IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetwork;
}
