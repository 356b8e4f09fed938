using System.Text.Json.Nodes;
using Containment.Ledger;
using Containment.Runs;
using Containment.Tests.Support;

namespace Containment.Tests.EndToEnd;

/// <summary>
/// The shipped <c>confirm-suspicious-activity</c> playbook over HTTP: a person confirms the risk before the pod is
/// touched. Rejected, the pod keeps its network and the event is marked ignored with the approver's name; approved,
/// the pod is isolated and the event processed.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class ConfirmFirstFlowTests(LocalHostFixture host)
{
    private const string Playbook = "confirm-suspicious-activity";
    private const string Containing = "isolate-escape-reverse-shell";

    /// <summary>How the ledger names an approver who typed a name on the page without signing in.</summary>
    private const string TypedName = "ops@contoso.com (name typed on the page";

    [Fact]
    public async Task Rejected_PodUntouched_EventIgnoredByTheApprover()
    {
        using var flow = new FlowClient(host);
        var (pod, instanceId, eventId, before) = await WaitingForConfirmationAsync(flow);
        var policiesBefore = await flow.PolicyNamesAsync();

        using var anonymous = host.CreateAnonymousClient();
        using var decided = await anonymous.PostAsync(await flow.ApprovalLinkAsync(pod), Form("reject", "ops@contoso.com", "the nightly backup job"));
        var done = await flow.RunUntilAsync(instanceId, FlowClient.Finished);

        Assert.Equal(200, (int)decided.StatusCode);
        Assert.Equal("succeeded", (string?)done["outcome"]!["result"]);
        Assert.Equal(["approve-isolation", "mark-benign", "tell-not-isolated"], done["history"]!.AsArray().Select(step => (string?)step!["stepId"]));
        var after = (await flow.PodAsync(pod))!;
        Assert.Equal(before["metadata"]!["labels"]!.ToJsonString(), after["metadata"]!["labels"]!.ToJsonString());
        Assert.Equal(before["metadata"]!["annotations"]!.ToJsonString(), after["metadata"]!["annotations"]!.ToJsonString());
        Assert.Equal(policiesBefore, await flow.PolicyNamesAsync());
        Assert.Null(await host.Get<IsolationLedger>().GetAsync(instanceId, CancellationToken.None));

        var stored = await flow.GetAsync($"api/events/{Uri.EscapeDataString(eventId)}");
        Assert.Equal("ignored", (string?)stored["event"]!["status"]);
        Assert.Equal("judged expected behaviour by the approver", (string?)stored["event"]!["statusReason"]);
        Assert.StartsWith(TypedName, (string?)stored["event"]!["changedBy"], StringComparison.Ordinal);
        var entry = Assert.Single(stored["audit"]!.AsArray());
        Assert.Equal("event-status-changed", (string?)entry!["action"]);
        Assert.Equal((string?)stored["event"]!["changedBy"], (string?)entry["actor"]);
        Assert.Equal("unprocessed → ignored: judged expected behaviour by the approver", (string?)entry["detail"]);
    }

    [Fact]
    public async Task Approved_PodIsolated_EventProcessed_ThenWaitsOnTheRelease()
    {
        using var flow = new FlowClient(host);
        var (pod, instanceId, eventId, before) = await WaitingForConfirmationAsync(flow);

        using var anonymous = host.CreateAnonymousClient();
        using var decided = await anonymous.PostAsync(await flow.ApprovalLinkAsync(pod), Form("approve", "ops@contoso.com", "looks like a shell"));
        var waiting = await flow.RunUntilAsync(instanceId, status => FlowClient.Waiting(status) && (string?)status["currentStep"] == "approve-release");

        Assert.Equal(200, (int)decided.StatusCode);
        Assert.Equal(["containment.io/quarantine"], (await flow.PodAsync(pod))!["metadata"]!["labels"]!.AsObject().Select(label => label.Key));
        Assert.Contains($"containment-quarantine-{pod}", await flow.PolicyNamesAsync());
        var record = await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}");
        Assert.Equal("isolated", (string?)record["isolation"]!["status"]);
        Assert.StartsWith(TypedName, (string?)record["isolation"]!["changedBy"], StringComparison.Ordinal);
        Assert.Equal(["approval-requested", "approved", "isolated", "approval-requested"], record["audit"]!.AsArray().Select(item => (string?)item!["action"]));
        var stored = await flow.GetAsync($"api/events/{Uri.EscapeDataString(eventId)}");
        Assert.Equal("processed", (string?)stored["event"]!["status"]);
        Assert.Equal("approval-approve-release-1", (string?)waiting["awaitedEvent"]);

        // Given back by hand: the run still holding the pod ends, and the pod is as it was.
        await flow.ReleaseByHandAndCheckAsync(instanceId, pod, before);
    }

    [Fact]
    public async Task AlertsJoiningTheRun_UnprocessedUntilItIsolates_ProcessedByTheIsolationOrOnceItHoldsThePodIsolated()
    {
        using var flow = new FlowClient(host);
        var (pod, instanceId, _, before) = await WaitingForConfirmationAsync(flow);

        // Before the approval nothing is isolated: the joining alert waits for a person like the first.
        var early = (await flow.PostAsync("api/alerts", Suspicious(pod))).Body["alerts"]![0]!;
        var earlyId = Uri.EscapeDataString((string)early["eventId"]!);
        Assert.Equal("unprocessed", (string?)(await flow.GetAsync($"api/events/{earlyId}"))["event"]!["status"]);
        using var anonymous = host.CreateAnonymousClient();
        using var decided = await anonymous.PostAsync(await flow.ApprovalLinkAsync(pod), Form("approve", "ops@contoso.com", "looks like a shell"));
        var waiting = await flow.RunUntilAsync(instanceId, status => FlowClient.Waiting(status) && (string?)status["currentStep"] == "approve-release");
        var late = (await flow.PostAsync("api/alerts", Suspicious(pod))).Body["alerts"]![0]!;

        Assert.Equal(200, (int)decided.StatusCode);
        Assert.Equal(["joined", "joined"], new[] { early, late }.Select(entry => (string?)entry["outcome"]));
        var earlyStored = await flow.GetAsync($"api/events/{earlyId}");
        var earlyEvent = earlyStored["event"]!;
        Assert.Equal("processed", (string?)earlyEvent["status"]);
        Assert.Equal($"the run it joined ({instanceId}) isolated its pod", (string?)earlyEvent["statusReason"]);
        Assert.StartsWith(TypedName, (string?)earlyEvent["changedBy"], StringComparison.Ordinal);
        Assert.Equal(instanceId, (string?)earlyEvent["runInstanceId"]);
        var marked = Assert.Single(earlyStored["audit"]!.AsArray());
        Assert.Equal($"unprocessed → processed: the run it joined ({instanceId}) isolated its pod", (string?)marked!["detail"]);
        var lateEvent = (await flow.GetAsync($"api/events/{Uri.EscapeDataString((string)late["eventId"]!)}"))["event"]!;
        var isolatedAt = waiting["history"]!.AsArray().Single(step => (string?)step!["type"] == "isolate")!["endedAt"]!.GetValue<DateTimeOffset>();
        Assert.Equal("processed", (string?)lateEvent["status"]);
        Assert.Equal($"its pod was isolated already, at {isolatedAt:u}, by run {instanceId}", (string?)lateEvent["statusReason"]);
        Assert.Equal(instanceId, (string?)lateEvent["runInstanceId"]);

        // Once the pod is given back, an alert for it starts a run of its own again, unprocessed until that run acts.
        await flow.ReleaseByHandAndCheckAsync(instanceId, pod, before);
        var after = (await flow.PostAsync("api/alerts", Suspicious(pod))).Body["alerts"]![0]!;
        Assert.Equal("started", (string?)after["outcome"]);
        Assert.Equal("unprocessed", (string?)(await flow.GetAsync($"api/events/{Uri.EscapeDataString((string)after["eventId"]!)}"))["event"]!["status"]);
        await flow.RunUntilAsync(instanceId, FlowClient.Waiting);
        Assert.True(await host.Get<IPlaybookRuntime>().TerminateAsync(instanceId, "test over", CancellationToken.None));
    }

    [Fact]
    public async Task ReverseShellWhileWaitingForConfirmation_TakesThePodOver_IsolatedAtOnce()
    {
        using var flow = new FlowClient(host);
        var (pod, instanceId, _, before) = await WaitingForConfirmationAsync(flow);
        var confirmLink = await flow.ApprovalLinkAsync(pod);

        var (status, body) = await flow.PostAsync("api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        var entry = body["alerts"]![0]!;
        var waiting = await flow.RunUntilAsync(instanceId, run => FlowClient.Waiting(run) && (string?)run["playbook"] == Containing);
        using var anonymous = host.CreateAnonymousClient();
        using var stale = await anonymous.PostAsync(confirmLink, Form("approve", "ops@contoso.com", "late"));

        Assert.Equal(202, status);
        Assert.Equal("started", (string?)entry["outcome"]);
        Assert.Equal(Containing, (string?)entry["playbook"]);
        Assert.Equal($"took the pod over from a run of {Playbook}", (string?)entry["reason"]);
        Assert.Equal(["containment.io/quarantine"], (await flow.PodAsync(pod))!["metadata"]!["labels"]!.AsObject().Select(label => label.Key));
        Assert.Contains($"containment-quarantine-{pod}", await flow.PolicyNamesAsync());
        Assert.Equal("isolated", (string?)(await flow.GetAsync($"api/isolations/{Uri.EscapeDataString(instanceId)}"))["isolation"]!["status"]);
        Assert.Equal("approval-approve-release-1", (string?)waiting["awaitedEvent"]);
        Assert.Equal(410, (int)stale.StatusCode);
        var audit = (await flow.GetAsync($"api/events/{Uri.EscapeDataString((string)entry["eventId"]!)}"))["audit"]!.AsArray();
        Assert.Contains(audit, item => (string?)item!["action"] == "run-taken-over");

        await flow.ReleaseByHandAndCheckAsync(instanceId, pod, before);
    }

    [Fact]
    public async Task ReverseShellAfterConfirmedIsolation_ItsRunHoldsThePod_TheEarlierReleaseLinkDecidesNothing()
    {
        using var flow = new FlowClient(host);
        var (pod, instanceId, _, before) = await WaitingForConfirmationAsync(flow);
        using var anonymous = host.CreateAnonymousClient();
        using var confirmed = await anonymous.PostAsync(await flow.ApprovalLinkAsync(pod), Form("approve", "ops@contoso.com", "looks like a shell"));
        await flow.RunUntilAsync(instanceId, run => FlowClient.Waiting(run) && (string?)run["currentStep"] == "approve-release");
        var earlierRelease = await flow.ApprovalLinkSentAsync(pod, index: 1);

        await flow.PostAsync("api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        await flow.RunUntilAsync(instanceId, run => FlowClient.Waiting(run) && (string?)run["playbook"] == Containing);
        var newRelease = await flow.ApprovalLinkSentAsync(pod, index: 2);
        using var stale = await anonymous.PostAsync(earlierRelease, Form("approve", "ops@contoso.com", "checked before the shell"));
        var afterStale = await flow.GetAsync($"api/runs/{Uri.EscapeDataString(instanceId)}");

        // Both runs' release approvals wait under the same event name; only the run that holds the pod now decides.
        Assert.Equal(200, (int)confirmed.StatusCode);
        Assert.Equal(410, (int)stale.StatusCode);
        Assert.True(FlowClient.Waiting(afterStale), afterStale.ToJsonString());
        Assert.Equal(["containment.io/quarantine"], (await flow.PodAsync(pod))!["metadata"]!["labels"]!.AsObject().Select(label => label.Key));

        using var released = await anonymous.PostAsync(newRelease, Form("approve", "ops@contoso.com", "checked after the shell"));
        var done = await flow.RunUntilAsync(instanceId, FlowClient.Finished);
        Assert.Equal(200, (int)released.StatusCode);
        Assert.Equal(Containing, (string?)done["playbook"]);
        Assert.Equal(before["metadata"]!["labels"]!.ToJsonString(), (await flow.PodAsync(pod))!["metadata"]!["labels"]!.ToJsonString());
    }

    /// <summary>An abnormal-process alert of medium severity for a fresh pod, its run waiting on the confirmation.</summary>
    private async Task<(string Pod, string InstanceId, string EventId, JsonObject Before)> WaitingForConfirmationAsync(FlowClient flow)
    {
        var pod = host.TakePod();
        var before = (await flow.PodAsync(pod))!;

        var (status, body) = await flow.PostAsync("api/alerts", Suspicious(pod));
        var entry = body["alerts"]![0]!;
        var instanceId = (string)entry["instanceId"]!;
        var waiting = await flow.RunUntilAsync(instanceId, FlowClient.Waiting);

        Assert.Equal(202, status);
        Assert.Equal(Playbook, (string?)entry["playbook"]);
        Assert.Equal("approval-approve-isolation-1", (string?)waiting["awaitedEvent"]);
        Assert.Equal(before["metadata"]!["labels"]!.ToJsonString(), (await flow.PodAsync(pod))!["metadata"]!["labels"]!.ToJsonString());
        return (pod, instanceId, (string)entry["eventId"]!, before);
    }

    /// <summary>A native alert this playbook takes, with an id of its own.</summary>
    private static string Suspicious(string pod) => $$"""
        { "id": "confirm-{{Guid.NewGuid():N}}", "source": "siem", "category": "abnormal-process", "severity": "medium", "time": "2026-11-23T03:00:00Z",
          "title": "Unexpected binary started in container",
          "target": { "cluster": "{{LocalHostFixture.Cluster}}", "namespace": "{{LocalHostFixture.Namespace}}", "pod": "{{pod}}", "container": "app" } }
        """;

    private static FormUrlEncodedContent Form(string decision, string name, string comment) =>
        new([new("decision", decision), new("name", name), new("comment", comment)]);
}
