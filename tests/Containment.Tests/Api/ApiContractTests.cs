using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Containment.Alerts;
using Containment.Ledger;
using Containment.Tests.EndToEnd;
using Containment.Tests.Support;

namespace Containment.Tests.Api;

[Collection(LocalHostCollection.Name)]
public sealed class ApiContractTests(LocalHostFixture host)
{
    [Theory]
    [InlineData("api/health")]
    [InlineData("api/playbooks")]
    [InlineData("api/events")]
    [InlineData("api/isolations")]
    [InlineData("api/poison")]
    [InlineData("api/poison/0639000000000000000-0123456789ab")]
    public async Task Get_WithoutKey_Is401WithError(string route)
    {
        using var client = host.CreateAnonymousClient();

        using var response = await client.GetAsync(new Uri(route, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.StartsWith("a valid key is required", (string?)body!["error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_WrongKey_Is401()
    {
        using var client = host.CreateAnonymousClient();
        client.DefaultRequestHeaders.Add("x-functions-key", LocalHostFixture.ApiKey + "x");

        using var response = await client.GetAsync(new Uri("api/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Get_KeyInCodeQuery_IsAccepted()
    {
        using var client = host.CreateAnonymousClient();

        using var response = await client.GetAsync(new Uri($"api/health?code={LocalHostFixture.ApiKey}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Health_StoragePlaybooksRuntimeAndDriftWatch_AreHealthy()
    {
        using var client = host.CreateClient();

        var body = await client.GetFromJsonAsync<JsonObject>(new Uri("api/health", UriKind.Relative));

        Assert.Equal("healthy", (string?)body!["status"]);
        Assert.Equal(["storage", "playbooks", "runtime", "drift"], body["checks"]!.AsArray().Select(check => (string?)check!["name"]));
        Assert.All(body["checks"]!.AsArray(), check => Assert.Equal("healthy", (string?)check!["state"]));
        Assert.StartsWith("no round yet; the first at ", (string?)body["checks"]![3]!["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_ReportsThisProcessStorageOperationCount()
    {
        using var client = host.CreateClient();
        await client.GetFromJsonAsync<JsonObject>(new Uri("api/health", UriKind.Relative));
        var counter = host.Get<StorageOperationCounter>();

        var before = counter.Count;
        var body = await client.GetFromJsonAsync<JsonObject>(new Uri("api/health", UriKind.Relative));

        var reported = (long)body!["storageOperations"]!;

        Assert.InRange(reported, before, counter.Count);
        Assert.True(before > 0, "the host has used storage by now");
    }

    [Fact]
    public async Task Playbooks_Shipped_AreListedValid()
    {
        using var client = host.CreateClient();

        var body = await client.GetFromJsonAsync<JsonObject>(new Uri("api/playbooks", UriKind.Relative));

        Assert.True((bool?)body!["valid"]);
        Assert.Contains("isolate-escape-reverse-shell", body["playbooks"]!.AsArray().Select(playbook => (string?)playbook!["name"]));
        Assert.Empty(body["problems"]!.AsArray());
    }

    [Fact]
    public async Task Isolations_FilteredByStatusClusterByAnyNameAndNamespace_NewestFirst()
    {
        using var client = host.CreateClient();
        var ns = "filter-" + Guid.NewGuid().ToString("N")[..8];
        var at = DateTimeOffset.UtcNow;
        var isolated = await StoreIsolationAsync(ns, "api-0", IsolationStatus.Isolated, at);
        var released = await StoreIsolationAsync(ns, "api-1", IsolationStatus.Released, at.AddMinutes(1));

        async Task<IReadOnlyList<string?>> IdsAsync(string query) =>
            (await client.GetFromJsonAsync<JsonObject>(new Uri($"api/isolations?{query}", UriKind.Relative)))!["isolations"]!.AsArray().Select(record => (string?)record!["id"]).ToList();

        Assert.Equal([released, isolated], await IdsAsync($"namespace={ns}"));
        Assert.Equal([isolated], await IdsAsync($"status=isolated&namespace={ns}"));
        Assert.Equal([released], await IdsAsync($"status=released&cluster={LocalHostFixture.Cluster}&namespace={ns}"));
        Assert.Equal([released], await IdsAsync($"status=released&cluster={LocalHostFixture.Cluster.ToUpperInvariant()}&namespace={ns}"));
        Assert.Equal([isolated], await IdsAsync($"status=isolated&cluster={Uri.EscapeDataString(LocalHostFixture.ResourceId)}&namespace={ns}"));
        Assert.Empty(await IdsAsync($"status=isolated&cluster=aks-elsewhere&namespace={ns}"));
        var record = (await client.GetFromJsonAsync<JsonObject>(new Uri($"api/isolations?status=isolated&namespace={ns}", UriKind.Relative)))!["isolations"]![0]!;
        Assert.Equal("isolated", (string?)record["status"]);
        Assert.Equal("api-0", (string?)record["pod"]);
    }

    [Fact]
    public async Task Isolations_UnknownStatusFilter_Is400NamingTheValues()
    {
        using var client = host.CreateClient();

        using var response = await client.GetAsync(new Uri("api/isolations?status=quarantined", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonObject>())!["details"]![0]!;
        Assert.Equal("status", (string?)detail["pointer"]);
        Assert.Equal("expected one of: isolating, isolated, releasing, released, failed", (string?)detail["message"]);
    }

    [Fact]
    public async Task Events_UnknownStatusFilter_Is400NamingTheValues()
    {
        using var client = host.CreateClient();

        using var response = await client.GetAsync(new Uri("api/events?status=done", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonObject>())!["details"]![0]!;
        Assert.Equal("status", (string?)detail["pointer"]);
        Assert.Equal("expected one of: unprocessed, processed, ignored", (string?)detail["message"]);
    }

    [Theory]
    [InlineData("api/events", "0")]
    [InlineData("api/events", "501")]
    [InlineData("api/events", "-1")]
    [InlineData("api/events", "1.5")]
    [InlineData("api/events", "many")]
    [InlineData("api/isolations", "0")]
    [InlineData("api/isolations", "501")]
    [InlineData("api/poison", "0")]
    public async Task List_LimitOutOfRange_Is400NamingTheRange(string route, string limit)
    {
        using var client = host.CreateClient();

        using var response = await client.GetAsync(new Uri($"{route}?limit={limit}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonObject>())!["details"]![0]!;
        Assert.Equal("limit", (string?)detail["pointer"]);
        Assert.Equal("expected a whole number from 1 to 500", (string?)detail["message"]);
    }

    [Theory]
    [InlineData("api/events", "abc")]
    [InlineData("api/events", "%27%20or%201%20eq%201")]
    [InlineData("api/isolations", "abc")]
    [InlineData("api/poison", "abc")]
    [InlineData("api/poison", "MHxlZHI6YWxlcnQtMQ")] // an events page's cursor: it names no poison record
    public async Task List_CursorNoPageGave_Is400NamingTheCursor(string route, string cursor)
    {
        using var client = host.CreateClient();

        using var response = await client.GetAsync(new Uri($"{route}?cursor={cursor}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("cursor is not one this API gave", (string?)body["error"]);
        Assert.Equal("cursor", (string?)body["details"]![0]!["pointer"]);
    }

    [Fact]
    public async Task Events_FollowingNext_PagesNewestFirst()
    {
        var seeded = await TestEvents.SeedArrivalsAsync(host.Get<SecurityEventLedger>(), new DateTimeOffset(2200, 1, 1, 0, 0, 0, TimeSpan.Zero), 3);

        using var flow = new FlowClient(host);
        var first = await flow.GetAsync("api/events?limit=2");
        var second = await flow.GetAsync($"api/events?limit=2&cursor={Uri.EscapeDataString((string)first["next"]!)}");

        Assert.Equal([seeded[2], seeded[1]], first["events"]!.AsArray().Select(item => (string?)item!["id"]));
        Assert.Equal(seeded[0], (string?)second["events"]![0]!["id"]);
        Assert.DoesNotContain(second["events"]!.AsArray(), item => seeded[1..].Contains((string)item!["id"]!));
    }

    [Fact]
    public async Task Isolations_FollowingNext_PagesTheLastChangedFirst()
    {
        var cluster = "paged-" + Guid.NewGuid().ToString("N")[..8];
        var ledger = host.Get<IsolationLedger>();
        var ids = new List<string>();
        for (var minute = 0; minute < 3; minute++)
        {
            var id = $"{cluster}~payments~api-{minute}";
            await ledger.ChangeAsync(id, _ => TestIsolations.Record(id, IsolationStatus.Isolated) with { Cluster = cluster, ChangedAt = DateTimeOffset.UnixEpoch.AddMinutes(minute) }, CancellationToken.None);
            ids.Add(id);
        }

        using var flow = new FlowClient(host);
        var first = await flow.GetAsync($"api/isolations?cluster={cluster}&limit=2");
        var second = await flow.GetAsync($"api/isolations?cluster={cluster}&limit=2&cursor={Uri.EscapeDataString((string)first["next"]!)}");

        Assert.Equal([ids[2], ids[1]], first["isolations"]!.AsArray().Select(item => (string?)item!["id"]));
        Assert.Equal([ids[0]], second["isolations"]!.AsArray().Select(item => (string?)item!["id"]));
        Assert.Null(second["next"]);
    }

    [Fact]
    public async Task SetEventStatus_ExistingEvent_ChangesStatusAndAudits()
    {
        var id = await TestEvents.SeedAsync(host.Get<SecurityEventLedger>());
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Add("X-MS-CLIENT-PRINCIPAL-NAME", "ana@contoso.com");

        using var response = await client.PostAsJsonAsync(
            new Uri($"api/events/{Uri.EscapeDataString(id)}/status", UriKind.Relative),
            new { status = "processed", reason = "malware removed, image rebuilt" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await host.Get<SecurityEventLedger>().GetAsync(id, CancellationToken.None);
        Assert.Equal(EventStatus.Processed, stored!.Status);
        Assert.Equal("ana@contoso.com", stored.ChangedBy);
        var entry = Assert.Single(await host.Get<AuditTrail>().ListAsync(AuditSubject.SecurityEvent, id, CancellationToken.None));
        Assert.Equal(AuditAction.EventStatusChanged, entry.Action);
        Assert.Equal("unprocessed → processed: malware removed, image rebuilt", entry.Detail);
    }

    [Fact]
    public async Task SetEventStatus_WithoutReason_Is400AndChangesNothing()
    {
        var id = await TestEvents.SeedAsync(host.Get<SecurityEventLedger>());
        using var client = host.CreateClient();

        using var response = await client.PostAsJsonAsync(new Uri($"api/events/{Uri.EscapeDataString(id)}/status", UriKind.Relative), new { status = "ignored" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("/reason", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["details"]![0]!["pointer"]);
        Assert.Equal(EventStatus.Unprocessed, (await host.Get<SecurityEventLedger>().GetAsync(id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task SetEventStatus_WrongContentType_Is415()
    {
        var id = await TestEvents.SeedAsync(host.Get<SecurityEventLedger>());
        using var client = host.CreateClient();

        using var response = await client.PostAsync(
            new Uri($"api/events/{Uri.EscapeDataString(id)}/status", UriKind.Relative),
            new StringContent("status=processed", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task SetEventStatus_UnknownEvent_Is404()
    {
        using var client = host.CreateClient();

        using var response = await client.PostAsJsonAsync(new Uri("api/events/none/status", UriKind.Relative), new { status = "ignored", reason = "r" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Isolation_Unknown_Is404()
    {
        using var client = host.CreateClient();

        using var response = await client.GetAsync(new Uri("api/isolations/none", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("no isolation 'none'", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]);
    }

    private async Task<string> StoreIsolationAsync(string ns, string pod, IsolationStatus status, DateTimeOffset at)
    {
        var id = $"{LocalHostFixture.Cluster}~{ns}~{pod}";
        await host.Get<IsolationLedger>().ChangeAsync(
            id,
            _ => new IsolationRecord { Id = id, Cluster = LocalHostFixture.Cluster, Namespace = ns, Pod = pod, Status = status, ChangedBy = "test", ChangedAt = at },
            CancellationToken.None);
        return id;
    }
}
