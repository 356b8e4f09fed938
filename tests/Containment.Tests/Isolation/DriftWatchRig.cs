using Containment.Isolation.Drift;
using Containment.Ledger;
using Containment.Notifications;
using Containment.Tests.Notifications;
using Containment.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Containment.Tests.Isolation;

/// <summary>
/// A drift watch over a host's clusters and ledger that reports to a webhook of the test's own, and remembers what it
/// reported in a table of its own: a test knows every report it sees.
/// </summary>
internal sealed class DriftWatchRig : IAsyncDisposable
{
    public const string Channel = "drift-hook";

    private readonly NotificationHarness notifications;
    private readonly Azure.Data.Tables.TableServiceClient tables;
    private readonly string prefix = AzuriteFixture.NewTablePrefix();

    public DriftWatchRig(LocalHostFixture host)
    {
        notifications = new NotificationHarness(new Dictionary<string, string?>
        {
            [$"Containment:Notifications:Channels:{Channel}:Type"] = "webhook",
            [$"Containment:Notifications:Channels:{Channel}:Url"] = Receiver.Url.AbsoluteUri,
            ["Containment:Notifications:MaxAttempts"] = "1",
        });
        tables = host.Tables;
        Reported = new ReportedDrift(tables, Options.Create(new LedgerOptions { TablePrefix = prefix }));
        var options = new DriftOptions();
        options.Channels.Add(Channel);
        Watch = new DriftWatch(host.Get<LedgerDriftCheck>(), Reported, notifications.Sender, Options.Create(options), NullLogger<DriftWatch>.Instance);
    }

    public LoopbackReceiver Receiver { get; } = new();

    public ReportedDrift Reported { get; }

    public DriftWatch Watch { get; }

    /// <summary>The webhook bodies received that list <paramref name="pod"/> among their findings.</summary>
    public List<System.Text.Json.JsonElement> ReportsOf(string pod) =>
        [.. Receiver.Requests.Select(request => request.Json())
            .Where(body => body.GetProperty("findings").EnumerateArray().Any(finding => finding.GetProperty("pod").GetString() == pod))];

    public async ValueTask DisposeAsync()
    {
        Receiver.Dispose();
        notifications.Dispose();
        Reported.Dispose();
        await tables.DeleteTableAsync(prefix + "Drift");
    }
}
