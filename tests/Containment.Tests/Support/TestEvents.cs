using System.Text.Json;
using Containment.Alerts;
using Containment.Ledger;

namespace Containment.Tests.Support;

/// <summary>Security events for tests that store them directly.</summary>
internal static class TestEvents
{
    /// <summary>Stores an unprocessed malware event as admission would, the alert's raw payload with it; its id.</summary>
    public static async Task<string> SeedAsync(SecurityEventLedger events, DateTimeOffset? receivedAt = null)
    {
        var alert = new Alert
        {
            Id = Guid.NewGuid().ToString(),
            Source = "defender",
            Category = AlertCategory.Malware,
            Severity = Severity.High,
            Time = DateTimeOffset.UnixEpoch,
            Target = new AlertTarget { Cluster = "c1", Namespace = "shop", Pod = "web-1" },
            Raw = JsonSerializer.SerializeToElement(new { alertType = "K8S_MalwareDetected" }),
        };
        var record = new SecurityEventRecord
        {
            Id = SecurityEventLedger.IdOf(alert),
            Alert = alert,
            Status = EventStatus.Unprocessed,
            ReceivedAt = receivedAt ?? alert.Time,
            ChangedAt = receivedAt ?? alert.Time,
            ChangedBy = "containment",
        };
        await events.AddAsync(record, CancellationToken.None);
        return record.Id;
    }

    /// <summary>
    /// Stores <paramref name="count"/> events arrived a minute apart from <paramref name="first"/>; their ids, oldest first. Arrivals
    /// later than any other test's put them at the head of the list.
    /// </summary>
    public static async Task<List<string>> SeedArrivalsAsync(SecurityEventLedger events, DateTimeOffset first, int count)
    {
        var ids = new List<string>();
        for (var minute = 0; minute < count; minute++)
        {
            ids.Add(await SeedAsync(events, first.AddMinutes(minute)));
        }

        return ids;
    }
}
