using System.Globalization;
using Containment.Local.Hosting;

namespace Containment.Bench;

/// <summary>
/// CPU spent during a stretch of a benchmark, to the microsecond: by this process (the host, KubeSim and the load,
/// from <c>getrusage</c>) and by Azurite's main thread, which serves every table request (from the kernel's
/// scheduler statistics). The usual process counters tick in 10 ms, too coarse for one alert.
/// </summary>
internal sealed class CpuMeter(AzuriteServer azurite)
{
    private readonly string azuriteSchedstat = $"/proc/{azurite.ProcessId}/schedstat";

    /// <summary>Whether Azurite's share can be read here (Linux only).</summary>
    public bool SeesAzurite { get; } = File.Exists($"/proc/{azurite.ProcessId}/schedstat");

    public CpuReading Read() => new(Environment.CpuUsage.TotalTime, SeesAzurite ? AzuriteTime() : TimeSpan.Zero);

    // The first field is the time the thread has run, in nanoseconds.
    private TimeSpan AzuriteTime() =>
        TimeSpan.FromTicks(long.Parse(File.ReadAllText(azuriteSchedstat).Split(' ')[0], CultureInfo.InvariantCulture) / 100);
}

internal readonly record struct CpuReading(TimeSpan Host, TimeSpan Azurite)
{
    public static CpuReading operator -(CpuReading after, CpuReading before) => new(after.Host - before.Host, after.Azurite - before.Azurite);

    public static CpuReading operator +(CpuReading a, CpuReading b) => new(a.Host + b.Host, a.Azurite + b.Azurite);
}
