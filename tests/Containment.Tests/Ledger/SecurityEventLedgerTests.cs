using Containment.Alerts;
using Containment.Ledger;
using Containment.Tests.Support;

namespace Containment.Tests.Ledger;

[Collection(LocalHostCollection.Name)]
public sealed class SecurityEventLedgerTests(LocalHostFixture host)
{
    private readonly SecurityEventLedger events = host.Get<SecurityEventLedger>();

    [Fact]
    public async Task AddAsync_SameEventTwice_KeepsTheFirst()
    {
        var first = Record(EventStatus.Unprocessed, "first");
        var second = first with { StatusReason = "second" };

        var (_, created) = await events.AddAsync(first, CancellationToken.None);
        var (stored, createdAgain) = await events.AddAsync(second with { Playbook = "another" }, CancellationToken.None);

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal(first.Playbook, stored.Playbook);
        Assert.Equal("first", (await events.GetAsync(first.Id, CancellationToken.None))!.StatusReason);
    }

    [Fact]
    public async Task ChangeAsync_MissingEvent_ReturnsNull()
    {
        Assert.Null(await events.ChangeAsync("none:" + Guid.NewGuid(), record => record, CancellationToken.None));
    }

    [Fact]
    public async Task ListAsync_ByStatus_ReturnsOnlyThatStatus()
    {
        var ignored = Record(EventStatus.Ignored, "no playbook");
        await events.AddAsync(ignored, CancellationToken.None);
        await events.AddAsync(Record(EventStatus.Processed, null), CancellationToken.None);

        var listed = await events.ListAsync(EventStatus.Ignored, CancellationToken.None);

        Assert.Contains(listed, record => record.Id == ignored.Id);
        Assert.All(listed, record => Assert.Equal(EventStatus.Ignored, record.Status));
    }

    [Fact]
    public async Task AddAsync_Alert_RoundTripsEveryField()
    {
        var record = Record(EventStatus.Unprocessed, null);

        await events.AddAsync(record, CancellationToken.None);
        var stored = await events.GetAsync(record.Id, CancellationToken.None);

        Assert.Equal(record.Alert.Target, stored!.Alert.Target);
        Assert.Equal(record.Alert.Category, stored.Alert.Category);
        Assert.Equal(record.Alert.Time, stored.Alert.Time);
    }

    internal static SecurityEventRecord Record(EventStatus status, string? reason)
    {
        var alert = new Alert
        {
            Id = Guid.NewGuid().ToString(),
            Source = "falco",
            Category = AlertCategory.ReverseShell,
            Severity = Severity.Low,
            Time = new DateTimeOffset(2026, 11, 23, 3, 0, 0, TimeSpan.Zero),
            Target = new AlertTarget { Cluster = "c1", Namespace = "payments", Pod = "api-1", Container = "api", Image = "contoso/api:1.2" },
        };
        return new SecurityEventRecord
        {
            Id = SecurityEventLedger.IdOf(alert),
            Alert = alert,
            Status = status,
            StatusReason = reason,
            ReceivedAt = alert.Time,
            ChangedAt = alert.Time,
            ChangedBy = "test",
        };
    }
}
