using Containment.Alerts;
using Containment.Ledger;
using Containment.Local.Cli;
using Containment.Tests.Support;

namespace Containment.Tests.Cli;

/// <summary>The verbs that talk to a running host, against the local host over HTTP.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class HostCommandsTests(LocalHostFixture host)
{
    [Fact]
    public async Task EventsList_FollowingTheCursorItPrints_GivesThePageAfter()
    {
        var seeded = await TestEvents.SeedArrivalsAsync(host.Get<SecurityEventLedger>(), new DateTimeOffset(2201, 1, 1, 0, 0, 0, TimeSpan.Zero), 3);

        var (exit, output, _) = await RunAsync("events", "list", "--limit", "2");
        var lines = Lines(output);
        var cursor = Assert.Single(lines, line => line.StartsWith("more: --cursor ", StringComparison.Ordinal))["more: --cursor ".Length..];
        var (nextExit, nextOutput, _) = await RunAsync("events", "list", "--limit", "2", "--cursor", cursor);

        Assert.Equal(ContainmentCli.Ok, exit);
        Assert.StartsWith("ID", lines[0], StringComparison.Ordinal);
        Assert.Equal([seeded[2], seeded[1]], lines[1..3].Select(FirstCell));
        Assert.Contains("unprocessed", lines[1], StringComparison.Ordinal);
        Assert.Contains("c1/shop/web-1", lines[1], StringComparison.Ordinal);
        Assert.Equal(ContainmentCli.Ok, nextExit);
        Assert.Equal(seeded[0], FirstCell(Lines(nextOutput)[1]));
    }

    [Fact]
    public async Task EventsSetStatus_ChangesTheEvent_AndAuditsIt()
    {
        var ledger = host.Get<SecurityEventLedger>();
        var id = await TestEvents.SeedAsync(ledger);

        var (exit, output, _) = await RunAsync("events", "set-status", id, "--status", "processed", "--reason", "malware removed, image rebuilt");

        Assert.Equal(ContainmentCli.Ok, exit);
        Assert.Equal($"{id}: processed (malware removed, image rebuilt)", output.Trim());
        Assert.Equal(EventStatus.Processed, (await ledger.GetAsync(id, CancellationToken.None))!.Status);
        var entry = Assert.Single(await host.Get<AuditTrail>().ListAsync(AuditSubject.SecurityEvent, id, CancellationToken.None));
        Assert.Equal(AuditAction.EventStatusChanged, entry.Action);
    }

    [Fact]
    public async Task PoisonListAndShow_PrintTheRefusedBody_ItsControlCharactersAsCodes()
    {
        using var client = host.CreateClient();
        var id = await Api.PoisonApiTests.RefuseAsync(client, "{ \"title\": \"\u001B[31mred\"\n  oops");

        var (listExit, listOutput, _) = await RunAsync("poison", "list", "--limit", "1");
        var (showExit, showOutput, _) = await RunAsync("poison", "show", id);
        var shown = showOutput.Split('\n');

        Assert.Equal(ContainmentCli.Ok, listExit);
        Assert.Equal(id, FirstCell(Lines(listOutput)[1]));
        Assert.Contains("/api/alerts", Lines(listOutput)[1], StringComparison.Ordinal);
        Assert.Equal(ContainmentCli.Ok, showExit);
        Assert.StartsWith($"{id}: refused at /api/alerts, ", shown[0], StringComparison.Ordinal);
        Assert.StartsWith("reason: /: malformed JSON", shown[1], StringComparison.Ordinal);
        Assert.Equal("body (28 characters):", shown[2]);
        Assert.Equal(["{ \"title\": \"\\u001B[31mred\"", "  oops"], shown[3..5]);
        Assert.DoesNotContain('\u001B', showOutput);
    }

    [Fact]
    public async Task AlertsSend_PostsTheFile_AndPrintsTheHostsAnswer()
    {
        var pod = host.TakePod();
        using var file = AlertFile(pod);

        var (exit, output, _) = await RunAsync("alerts", "send", file.Path);

        Assert.Equal(ContainmentCli.Ok, exit);
        Assert.StartsWith("202 Accepted\n", output, StringComparison.Ordinal);
        Assert.Contains($"\"instanceId\":\"{LocalHostFixture.Cluster}~{LocalHostFixture.Namespace}~{pod}\"", output, StringComparison.Ordinal);
        Assert.NotNull(await host.Get<SecurityEventLedger>().GetAsync($"edr:{file.AlertId}", CancellationToken.None));
    }

    [Fact]
    public async Task AlertsSend_Refused_PrintsTheAnswersBidirectionalControlAsItsCode()
    {
        // The 400 quotes the pod name the detector sent: U+202E in it would turn the rest of the line around in a terminal.
        using var file = AlertFile("web\u202Eexe.1");

        var (exit, output, error) = await RunAsync("alerts", "send", file.Path);

        Assert.Equal(ContainmentCli.Failed, exit);
        Assert.Empty(output);
        Assert.StartsWith("400 Bad Request\n", error, StringComparison.Ordinal);
        Assert.Contains("web\\u202Eexe.1", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\u202E', error);
    }

    [Fact]
    public async Task Refused_TheAnswerEchoingABidirectionalControl_PrintsItAsItsCode()
    {
        var (exit, _, error) = await RunAsync("poison", "show", "0639\u202E000");

        Assert.Equal(ContainmentCli.Failed, exit);
        Assert.StartsWith("404 Not Found\n", error, StringComparison.Ordinal);
        Assert.Contains("0639\\u202E000", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\u202E', error);
    }

    [Fact]
    public async Task AlertsSend_NoSuchFile_SaysSoAndExitsOne()
    {
        var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".json");

        var (exit, _, error) = await RunAsync("alerts", "send", missing);

        Assert.Equal(ContainmentCli.Failed, exit);
        Assert.Equal($"{missing}: no such file", error.Trim());
    }

    [Theory]
    [InlineData("alerts", "send", "@file")]
    [InlineData("isolations", "list")]
    public async Task NoHostThere_SaysItCannotReachItAndExitsOne(params string[] args)
    {
        using var file = AlertFile("web-1");
        var nowhere = new Uri($"http://127.0.0.1:{Containment.Local.Hosting.FreePort.Next()}/");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await ContainmentCli.RunAsync([.. args.Select(arg => arg == "@file" ? file.Path : arg), "--url", nowhere.ToString(), "--key", LocalHostFixture.ApiKey], output, error);

        Assert.Equal(ContainmentCli.Failed, exit);
        Assert.StartsWith($"cannot reach {nowhere}: ", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("poison", "show", "0639000000000000000-0123456789ab")]
    [InlineData("events", "list", "--status", "banana")]
    [InlineData("events", "list", "--limit", "0")]
    [InlineData("events", "set-status", "edr:nothing", "--status", "processed", "--reason", "x")]
    [InlineData("isolations", "list", "--status", "banana")]
    [InlineData("isolations", "isolate", "--cluster", "aks-nowhere", "--namespace", "shop", "--pod", "victim-00", "--reason", "x")]
    [InlineData("isolations", "release", "aks-prod~shop~victim-never-made", "--reason", "x")]
    [InlineData("runs", "show", "aks-prod~shop~victim-never-made")]
    public async Task Refused_PrintsTheHostsAnswerOnErrorAndExitsOne(params string[] args)
    {
        var (exit, output, error) = await RunAsync(args);

        Assert.Equal(ContainmentCli.Failed, exit);
        Assert.Empty(output);
        Assert.Matches("^(400 Bad Request|404 Not Found)\n\\{\"error\":", error);
    }

    [Fact]
    public async Task IsolationsList_WrongKey_Says401AndExitsOne()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await ContainmentCli.RunAsync(["isolations", "list", "--url", host.BaseAddress.ToString(), "--key", "wrong"], output, error);

        Assert.Equal(ContainmentCli.Failed, exit);
        Assert.StartsWith("401 Unauthorized", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IsolationsList_ByStatus_ListsOnlyThatStatus()
    {
        var isolations = host.Get<IsolationLedger>();
        var cluster = "cli-" + Guid.NewGuid().ToString("N")[..8];
        var (released, isolated) = ($"{cluster}~payments~released", $"{cluster}~payments~isolated");
        await isolations.ChangeAsync(released, _ => TestIsolations.Record(released, IsolationStatus.Released) with { Cluster = cluster }, CancellationToken.None);
        await isolations.ChangeAsync(isolated, _ => TestIsolations.Record(isolated, IsolationStatus.Isolated) with { Cluster = cluster }, CancellationToken.None);

        var (exit, output, _) = await RunAsync("isolations", "list", "--cluster", cluster, "--status", "released");
        var rows = Lines(output)[1..];

        Assert.Equal(ContainmentCli.Ok, exit);
        Assert.Equal([released], rows.Select(FirstCell));
        Assert.Equal("released", rows[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    [Fact]
    public async Task IsolationsList_ClusterAndLimit_PrintsTheCursorOfThePageAfter()
    {
        var isolations = host.Get<IsolationLedger>();
        var cluster = "cli-" + Guid.NewGuid().ToString("N")[..8];
        var (older, newer) = ($"{cluster}~payments~older", $"{cluster}~payments~newer");
        await isolations.ChangeAsync(older, _ => TestIsolations.Record(older, IsolationStatus.Isolated) with { Cluster = cluster, ChangedAt = DateTimeOffset.UnixEpoch }, CancellationToken.None);
        await isolations.ChangeAsync(newer, _ => TestIsolations.Record(newer, IsolationStatus.Isolated) with { Cluster = cluster, ChangedAt = DateTimeOffset.UnixEpoch.AddMinutes(1) }, CancellationToken.None);

        var (exit, output, _) = await RunAsync("isolations", "list", "--cluster", cluster, "--limit", "1");
        var lines = Lines(output);
        var cursor = lines[^1]["more: --cursor ".Length..];
        var (_, nextOutput, _) = await RunAsync("isolations", "list", "--cluster", cluster, "--limit", "1", "--cursor", cursor);

        Assert.Equal(ContainmentCli.Ok, exit);
        Assert.Equal([newer], lines[1..^1].Select(FirstCell));
        Assert.StartsWith("more: --cursor ", lines[^1], StringComparison.Ordinal);
        Assert.Equal([older], Lines(nextOutput)[1..].Select(FirstCell));
    }

    [Fact]
    public async Task EventsList_AnAddressThatAnswersSomethingElse_SaysSoAndExitsOne()
    {
        // A service on that address that answers 200 with no JSON.
        using var other = new Notifications.LoopbackReceiver();
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await ContainmentCli.RunAsync(["events", "list", "--url", other.Url.ToString(), "--key", LocalHostFixture.ApiKey], output, error);

        Assert.Equal(ContainmentCli.Failed, exit);
        Assert.Empty(output.ToString());
        Assert.StartsWith($"{other.Url}api/events answered what this command cannot read: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IsolationsIsolate_StartsManualIsolate_WhichCutsThePodOff()
    {
        var pod = host.TakePod();
        using var flow = new EndToEnd.FlowClient(host);

        var (exit, output, _) = await RunAsync("isolations", "isolate", "--cluster", LocalHostFixture.Cluster, "--namespace", LocalHostFixture.Namespace, "--pod", pod, "--reason", "shell seen by hand");
        var id = output[..output.IndexOf(':', StringComparison.Ordinal)];
        await flow.RunUntilAsync(id, EndToEnd.FlowClient.Finished);

        Assert.Equal(ContainmentCli.Ok, exit);
        Assert.StartsWith($"{id}: isolation started, run {id} (manual-isolate); its progress: http", output, StringComparison.Ordinal);
        Assert.Equal(Containment.Runs.RunInstanceId.ForTarget(LocalHostFixture.Cluster, LocalHostFixture.Namespace, pod), id);
        Assert.NotNull((await flow.PodAsync(pod))!["metadata"]!["labels"]![Containment.Isolation.QuarantineNames.QuarantineLabel]);
        Assert.Equal("isolated", (string?)(await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(id)}"))["isolation"]!["status"]);

        var (showExit, shown, _) = await RunAsync("runs", "show", id);
        var lines = Lines(shown);

        Assert.Equal(ContainmentCli.Ok, showExit);
        Assert.StartsWith($"{id}: finished (manual-isolate), started ", lines[0], StringComparison.Ordinal);
        Assert.EndsWith(": finished: succeeded", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("STEP", lines[1], StringComparison.Ordinal);
        Assert.Equal(["isolate", "tell-isolated"], lines[2..].Select(FirstCell));
        Assert.Contains(" succeeded ", lines[2], StringComparison.Ordinal);
    }

    private async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        return await CliRun.RunAsync([.. args, "--url", host.BaseAddress.ToString(), "--key", LocalHostFixture.ApiKey]);
    }

    /// <summary>A native alert of a category that only notifies, on <paramref name="pod"/>, in a file deleted once disposed.</summary>
    private static TemporaryAlertFile AlertFile(string pod)
    {
        var alertId = "cli-" + Guid.NewGuid().ToString("N")[..12];
        var path = Path.Combine(Path.GetTempPath(), alertId + ".json");
        File.WriteAllText(path, $$"""
            { "id": "{{alertId}}", "source": "edr", "category": "other", "severity": "low", "time": "2026-11-24T03:00:00Z",
              "title": "seen from the CLI", "target": { "cluster": "{{LocalHostFixture.Cluster}}", "namespace": "{{LocalHostFixture.Namespace}}", "pod": "{{pod}}" } }
            """);
        return new TemporaryAlertFile(path, alertId);
    }

    private sealed record TemporaryAlertFile(string Path, string AlertId) : IDisposable
    {
        public void Dispose() => File.Delete(Path);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string FirstCell(string line) => line.Split(' ', 2)[0];
}
