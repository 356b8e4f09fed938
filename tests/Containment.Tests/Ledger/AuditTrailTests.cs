using Containment.Ledger;
using Containment.Tests.Support;

namespace Containment.Tests.Ledger;

[Collection(LocalHostCollection.Name)]
public sealed class AuditTrailTests(LocalHostFixture host)
{
    private readonly AuditTrail audit = host.Get<AuditTrail>();

    [Fact]
    public async Task ListAsync_Entries_ComeBackInTimeOrder()
    {
        var subject = "audit-" + Guid.NewGuid().ToString("N");
        var start = new DateTimeOffset(2026, 11, 23, 3, 0, 0, TimeSpan.Zero);
        var actions = new[] { AuditAction.ApprovalRequested, AuditAction.Isolated, AuditAction.Approved, AuditAction.Released };

        // Appended out of order, with two entries at the same instant.
        await audit.AppendAsync(AuditSubject.Isolation, Entry(subject, actions[3], start.AddMinutes(3)), CancellationToken.None);
        await audit.AppendAsync(AuditSubject.Isolation, Entry(subject, actions[0], start), CancellationToken.None);
        await audit.AppendAsync(AuditSubject.Isolation, Entry(subject, actions[2], start.AddMinutes(2)), CancellationToken.None);
        await audit.AppendAsync(AuditSubject.Isolation, Entry(subject, actions[1], start.AddMinutes(2)), CancellationToken.None);

        var entries = await audit.ListAsync(AuditSubject.Isolation, subject, CancellationToken.None);

        Assert.Equal(4, entries.Count);
        Assert.Equal(actions[0], entries[0].Action);
        Assert.Equal(actions[3], entries[3].Action);
        Assert.Equal(entries.Select(entry => entry.At).Order(), entries.Select(entry => entry.At));
    }

    [Fact]
    public async Task ListAsync_OtherSubject_IsNotIncluded()
    {
        var subject = "audit-" + Guid.NewGuid().ToString("N");
        await audit.AppendAsync(AuditSubject.Isolation, Entry(subject, AuditAction.Isolated, DateTimeOffset.UnixEpoch), CancellationToken.None);
        await audit.AppendAsync(AuditSubject.Isolation, Entry(subject + "-other", AuditAction.Released, DateTimeOffset.UnixEpoch), CancellationToken.None);

        var entries = await audit.ListAsync(AuditSubject.Isolation, subject, CancellationToken.None);

        Assert.Equal(AuditAction.Isolated, Assert.Single(entries).Action);
    }

    [Fact]
    public async Task ListAsync_IsolationAndEventOfOneId_AreKeptApart()
    {
        var subject = "audit-" + Guid.NewGuid().ToString("N");
        await audit.AppendAsync(AuditSubject.Isolation, Entry(subject, AuditAction.Isolated, DateTimeOffset.UnixEpoch), CancellationToken.None);
        await audit.AppendAsync(AuditSubject.SecurityEvent, Entry(subject, AuditAction.EventStatusChanged, DateTimeOffset.UnixEpoch), CancellationToken.None);

        Assert.Equal(AuditAction.Isolated, Assert.Single(await audit.ListAsync(AuditSubject.Isolation, subject, CancellationToken.None)).Action);
        Assert.Equal(AuditAction.EventStatusChanged, Assert.Single(await audit.ListAsync(AuditSubject.SecurityEvent, subject, CancellationToken.None)).Action);
    }

    [Fact]
    public async Task AppendAsync_InsertLandedButItsAnswerLost_OneEntryAndNoError()
    {
        // The SDK's next try of the insert meets the row its first try wrote (409).
        var lostAnswer = new AnswerLostOnce("Isolations");
        using var tables = host.LedgerTablesThrough(lostAnswer);
        var trail = new AuditTrail(tables);
        var subject = "audit-" + Guid.NewGuid().ToString("N");

        await trail.AppendAsync(AuditSubject.Isolation, Entry(subject, AuditAction.Isolated, DateTimeOffset.UnixEpoch), CancellationToken.None);

        Assert.Equal(1, lostAnswer.Lost);
        Assert.Equal(AuditAction.Isolated, Assert.Single(await trail.ListAsync(AuditSubject.Isolation, subject, CancellationToken.None)).Action);
    }

    private static AuditEntry Entry(string subject, AuditAction action, DateTimeOffset at) =>
        new() { SubjectId = subject, Action = action, At = at, Actor = "test" };
}
