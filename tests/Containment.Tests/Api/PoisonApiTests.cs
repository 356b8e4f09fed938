using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Containment.Api;
using Containment.Ledger;
using Containment.Tests.Support;

namespace Containment.Tests.Api;

/// <summary><c>GET /api/poison</c> and <c>GET /api/poison/{id}</c> over HTTP: what a sender was refused, seen from the host.</summary>
[Collection(LocalHostCollection.Name)]
public sealed partial class PoisonApiTests(LocalHostFixture host)
{
    [Fact]
    public async Task RefusedBody_IsListedNewestFirst_AndReadWhole_ByTheIdTheRefusalNamed()
    {
        using var client = host.CreateClient();
        var sent = "{ \"id\": \"edr-\u0007\", \"title\": \"shell\"\n  \"severity\": ";
        var first = await RefuseAsync(client, "{");
        var (id, details) = await RefuseWithDetailsAsync(client, sent);

        using var listed = await client.GetAsync(new Uri("api/poison?limit=2", UriKind.Relative));
        var page = await listed.Content.ReadFromJsonAsync<PoisonPage>(ContainmentJson.Options);
        using var read = await client.GetAsync(new Uri($"api/poison/{id}", UriKind.Relative));
        var record = await read.Content.ReadFromJsonAsync<PoisonRecord>(ContainmentJson.Options);

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal([id, first], page!.Poison.Select(item => item.Id));
        Assert.NotNull(page.Next);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal((AlertsApi.Receiver, "application/json; charset=utf-8", sent, false), (record!.Receiver, record.ContentType, record.Body, record.BodyTruncated));
        Assert.Equal(details, record.Reason);
    }

    [Fact]
    public async Task FollowingNext_GivesTheRecordsBefore()
    {
        using var client = host.CreateClient();
        var older = await RefuseAsync(client, "[");
        var newer = await RefuseAsync(client, "]");

        var first = await client.GetFromJsonAsync<PoisonPage>(new Uri("api/poison?limit=1", UriKind.Relative), ContainmentJson.Options);
        var second = await client.GetFromJsonAsync<PoisonPage>(new Uri($"api/poison?limit=1&cursor={Uri.EscapeDataString(first!.Next!)}", UriKind.Relative), ContainmentJson.Options);

        Assert.Equal(newer, Assert.Single(first.Poison).Id);
        Assert.Equal(older, Assert.Single(second!.Poison).Id);
    }

    [Theory]
    [InlineData("0639000000000000000-0123456789ab", "0639000000000000000-0123456789ab")]
    [InlineData("..%2F..%2Fetc", "../../etc")]
    public async Task Get_IdNoRecordHas_Is404NamingIt(string path, string id)
    {
        using var client = host.CreateClient();

        using var answer = await client.GetAsync(new Uri($"api/poison/{path}", UriKind.Relative));
        var body = await answer.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Equal($"no poison record '{id}'", body.GetProperty("error").GetString());
    }

    /// <summary>Posts an unreadable alert body; the id of the poison record its 400 names.</summary>
    public static async Task<string> RefuseAsync(HttpClient client, string body) => (await RefuseWithDetailsAsync(client, body)).Id;

    private static async Task<(string Id, string Details)> RefuseWithDetailsAsync(HttpClient client, string body)
    {
        using var answer = await client.PostAsync(new Uri("api/alerts", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
        var error = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        var id = KeptAs().Match(error.GetProperty("error").GetString()!).Groups["id"].Value;
        var details = string.Join("; ", error.GetProperty("details").EnumerateArray().Select(detail => $"{detail.GetProperty("pointer").GetString()}: {detail.GetProperty("message").GetString()}"));
        return (id, details);
    }

    [GeneratedRegex(@"kept as poison record (?<id>[0-9a-f-]+)\)")]
    private static partial Regex KeptAs();

    private sealed record PoisonPage(IReadOnlyList<PoisonRecord> Poison, string? Next = null);
}
