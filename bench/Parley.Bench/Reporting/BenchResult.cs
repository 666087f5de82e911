using System.Text.Json.Serialization;

namespace Parley.Bench.Reporting;

/// <summary>
/// The one result object of a run. The fields are always written (null when a scenario has no such figure);
/// the rest only when the scenario measured them. Rates are per second, times in milliseconds unless the name says.
/// </summary>
public sealed class BenchResult
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public required string Scenario { get; set; }
    public string? Target { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public int Clients { get; set; }
    public int? Size { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? Rate { get; set; }
    public string? RateMode { get; set; }
    public double? WarmupS { get; set; }
    public double? DurationS { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public long Sent { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public long Delivered { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public long Lost { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public long Duplicates { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public long Reordered { get; set; }
    public long? SendErrors { get; set; }
    public string? FirstSendError { get; set; }
    public long? Stray { get; set; }
    public int? Disconnected { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double DeliveredPerSec { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double P50Ms { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double P90Ms { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double P99Ms { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double P999Ms { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double MaxMs { get; set; }
    public double? MeanMs { get; set; }
    public double? SendLagP99Ms { get; set; }
    public double? SendLagMaxMs { get; set; }

    public int? ServerPid { get; set; }
    public string? ServerCpus { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? ServerCpuUsPerMsg { get; set; }
    public double? ServerCpuCores { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? ServerRssMb { get; set; }
    public double? ServerRssBeforeMb { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? RssKbPerConnection { get; set; }
    public int? ServerFds { get; set; }
    public int? ServerThreads { get; set; }

    public string? GeneratorCpus { get; set; }
    public double? GeneratorCpuCores { get; set; }
    public bool? GeneratorSaturated { get; set; }
    public double? GeneratorCpuUsPerMsg { get; set; }
    public int? GeneratorGcGen0 { get; set; }
    public int? GeneratorGcGen1 { get; set; }
    public int? GeneratorGcGen2 { get; set; }
    public double? GeneratorGcPauseMs { get; set; }
    public double? GeneratorRssMb { get; set; }
    public double? GeneratorRssKbPerConnection { get; set; }
    public long? FdLimit { get; set; }

    /// <summary>Cores used during the window by everything but the server and the generator: the machine's noise.</summary>
    public double? OtherCpuCores { get; set; }

    public double? ConnectSeconds { get; set; }
    public double? ConnectsPerSec { get; set; }

    /// <summary>Seconds waited after connecting for the server and generator to go quiet (presence fan-out).</summary>
    public double? SettleSeconds { get; set; }

    public IdleFigures? Idle { get; set; }
    public LoginFigures? Login { get; set; }
    public List<SearchTrial>? Search { get; set; }
    public List<SoakInterval>? Intervals { get; set; }

    public List<string> Notes { get; set; } = [];
}

public sealed class IdleFigures
{
    public int Connected { get; set; }
    public double SettleSeconds { get; set; }
    public double ServerFdsPerConnection { get; set; }
    public double? ServerRssSettledMb { get; set; }
}

public sealed class LoginFigures
{
    public int StormClients { get; set; }
    public long Logins { get; set; }
    public long Failures { get; set; }
    public string? FirstFailure { get; set; }
    public double LoginsPerSec { get; set; }
    public double LoginP50Ms { get; set; }
    public double LoginP99Ms { get; set; }
    public int BcryptCost { get; set; }
    public double BcryptVerifyMs { get; set; }
    public int ServerCores { get; set; }
    public double TargetLoginsPerSec { get; set; }
    public double BaselineP50Ms { get; set; }
    public double BaselineP99Ms { get; set; }
    public double BaselineDeliveredPerSec { get; set; }
    public double StormP99Ms { get; set; }
    public double StormP99OverBaseline { get; set; }
}

public sealed class SearchTrial
{
    public double Rate { get; set; }
    public bool Passed { get; set; }
    public double DeliveredPerSec { get; set; }
    public double P99Ms { get; set; }
    public long Lost { get; set; }
    public long SendErrors { get; set; }
    public double? ServerCpuCores { get; set; }
    public double? GeneratorCpuCores { get; set; }
    public double? OtherCpuCores { get; set; }
    public string? Why { get; set; }
}

public sealed class SoakInterval
{
    public double AtS { get; set; }
    public double DeliveredPerSec { get; set; }
    public double P50Ms { get; set; }
    public double P99Ms { get; set; }
    public double MaxMs { get; set; }
    public double? ServerRssMb { get; set; }
    public int? ServerFds { get; set; }
    public double? ServerCpuCores { get; set; }
    public long LostSoFar { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(BenchResult))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
