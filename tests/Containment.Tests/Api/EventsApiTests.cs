using Containment.Alerts;
using Containment.Api;
using Containment.Ledger;
using Containment.Tests.Support;

namespace Containment.Tests.Api;

[Collection(LocalHostCollection.Name)]
public sealed class EventsApiTests(LocalHostFixture host)
{
    [Fact]
    public async Task SetStatus_StoredButItsAnswerLost_OneChangeOneEntry()
    {
        // The change (the event and its audit entry, one transaction) lands, its answer is lost, and the SDK's next try
        // finds the row changed (412): the stored event is this very change, so nothing is written again.
        var id = await TestEvents.SeedAsync(host.Get<SecurityEventLedger>());
        var lostAnswer = new AnswerLostOnce("$batch");
        using var tables = host.LedgerTablesThrough(lostAnswer);
        using var events = new SecurityEventLedger(tables);
        var api = new EventsApi(events, new AuditTrail(tables), TimeProvider.System);
        var request = new ApiRequest
        {
            Method = "POST",
            BaseUri = host.BaseAddress,
            Headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["X-MS-CLIENT-PRINCIPAL-NAME"] = "ana@contoso.com" },
            ContentType = "application/json",
            Body = BinaryData.FromString("""{ "status": "processed", "reason": "malware removed" }"""),
        };

        var answer = await api.SetStatusAsync(request, id, CancellationToken.None);

        Assert.Equal(1, lostAnswer.Lost);
        Assert.Equal(200, answer.Status);
        Assert.Equal(EventStatus.Processed, (await host.Get<SecurityEventLedger>().GetAsync(id, CancellationToken.None))!.Status);
        var entry = Assert.Single(await host.Get<AuditTrail>().ListAsync(AuditSubject.SecurityEvent, id, CancellationToken.None));
        Assert.Equal("unprocessed → processed: malware removed", entry.Detail);
    }
}
