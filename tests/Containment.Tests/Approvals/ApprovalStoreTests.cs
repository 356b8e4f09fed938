using Containment.Alerts;
using Containment.Approvals;
using Containment.Ledger;
using Containment.Tests.Support;

namespace Containment.Tests.Approvals;

[Collection(LocalHostCollection.Name)]
public sealed class ApprovalStoreTests(LocalHostFixture host)
{
    [Fact]
    public async Task AddAsync_StoredButItsAnswerLost_OneRequestOneEntryAndNoError()
    {
        // The transaction (the request and its audit entry) lands, its answer is lost, and the SDK's next try meets the
        // audit row its first try wrote (409).
        var lostAnswer = new AnswerLostOnce("$batch");
        using var tables = host.LedgerTablesThrough(lostAnswer);
        var store = new ApprovalStore(tables);
        var instanceId = "aks-prod~shop~lost-" + Guid.NewGuid().ToString("N")[..6];
        var record = Request(instanceId);

        await store.AddAsync(record, TestAudit.Entry(instanceId, AuditAction.ApprovalRequested), CancellationToken.None);

        Assert.Equal(1, lostAnswer.Lost);
        Assert.Equal(record.EventName, (await store.GetAsync(instanceId, record.TokenHash, CancellationToken.None))?.Record.EventName);
        var entries = await host.Get<AuditTrail>().ListAsync(AuditSubject.Isolation, instanceId, CancellationToken.None);
        Assert.Equal(AuditAction.ApprovalRequested, Assert.Single(entries).Action);
    }

    [Fact]
    public async Task AddAsync_TheSameRequestAgainAfterItWasDecided_KeepsTheDecisionAndWritesNoSecondEntry()
    {
        // A step made again for the same wait issues the same link, so its request meets the one stored before, which
        // an approver may have decided on meanwhile.
        var store = host.Get<ApprovalStore>();
        var instanceId = "aks-prod~shop~again-" + Guid.NewGuid().ToString("N")[..6];
        var record = Request(instanceId);
        await store.AddAsync(record, TestAudit.Entry(instanceId, AuditAction.ApprovalRequested), CancellationToken.None);
        var (stored, etag) = (await store.GetAsync(instanceId, record.TokenHash, CancellationToken.None))!.Value;
        var decision = new ApprovalDecision(ApprovalVerdict.Approved, "ana@contoso.com", DateTimeOffset.UtcNow);
        Assert.True(await store.DecideAsync(stored, etag, decision, TestAudit.Entry(instanceId, AuditAction.Approved), CancellationToken.None));

        await store.AddAsync(record, TestAudit.Entry(instanceId, AuditAction.ApprovalRequested), CancellationToken.None);

        Assert.Equal(decision, (await store.GetAsync(instanceId, record.TokenHash, CancellationToken.None))?.Record.Decision);
        var entries = await host.Get<AuditTrail>().ListAsync(AuditSubject.Isolation, instanceId, CancellationToken.None);
        Assert.Equal([AuditAction.ApprovalRequested, AuditAction.Approved], entries.Select(entry => entry.Action));
    }

    private static ApprovalRecord Request(string instanceId) => new()
    {
        TokenHash = "hash-" + Guid.NewGuid().ToString("N"),
        InstanceId = instanceId,
        StepId = "ask",
        EventName = "approval-ask-1",
        ExpiresAt = DateTimeOffset.UtcNow.AddHours(1),
        Message = "release?",
        Approvers = [],
        Alert = new Alert { Id = "a", Source = "test", Category = AlertCategory.ReverseShell, Severity = Severity.High, Time = DateTimeOffset.UtcNow, Target = new AlertTarget { Cluster = "aks-prod", Namespace = "shop", Pod = "lost" } },
    };
}
