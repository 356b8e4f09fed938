using System.Text.Json;
using Azure.Data.Tables;
using Containment;
using Containment.Activities;
using Containment.Alerts;
using Containment.Approvals;
using Containment.Playbooks;
using Containment.Playbooks.Loading;
using Containment.Playbooks.Validation;
using Containment.Runs;
using Containment.Runs.Embedded;
using Containment.Runs.Machine;
using Containment.RuntimeHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

// Usage: Containment.RuntimeHost start|recover CONNECTION PREFIX FOLDER
// start: starts runs A (blocks after its isolate effect), B (waits for approval) and C (waits on a timer),
//        says when each is there, and waits to be killed.
// recover: picks every run up again, approves B when it waits, and prints each run's outcome.
var (mode, connection, prefix, folder) = (args[0], args[1], args[2], args[3]);
var ids = new[] { "crash~a~pod-a", "crash~b~pod-b", "crash~c~pod-c" };

var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Containment:Runtime:TablePrefix"] = prefix }).Build();
var services = new ServiceCollection();
services.AddSingleton<IConfiguration>(configuration);
services.AddLogging();
services.AddSingleton(new TableServiceClient(connection));
foreach (var name in new[] { ActivityNames.IsolatePod, ActivityNames.ReleasePod, ActivityNames.RequestApproval, ActivityNames.Notify, ActivityNames.SetEventStatus })
{
    services.AddSingleton<IRunActivity>(new EffectActivity(name, folder, mode == "start" ? ids[0] : null));
}

services.AddEmbeddedPlaybookRuntime();
await using var provider = services.BuildServiceProvider();
var runtime = provider.GetRequiredService<EmbeddedRuntime>();

if (mode == "start")
{
    await runtime.StartAsync(ids[0], Parse("""[{ "id": "isolate", "type": "isolate" }, { "id": "mark", "type": "setEventStatus", "status": "processed" }]"""), Alert(ids[0]), CancellationToken.None);
    await runtime.StartAsync(ids[1], Parse("""[{ "id": "isolate", "type": "isolate" }, { "id": "ask", "type": "approval", "message": "release?", "channels": ["c"], "timeout": "PT1H", "onApproved": [{ "id": "release", "type": "release" }] }]"""), Alert(ids[1]), CancellationToken.None);
    await runtime.StartAsync(ids[2], Parse("""[{ "id": "pause", "type": "wait", "duration": "PT2S" }, { "id": "tell", "type": "notify", "channels": ["c"], "template": "released" }]"""), Alert(ids[2]), CancellationToken.None);
    foreach (var id in ids[1..])
    {
        var status = await WaitForAsync(id, status => status.Phase == RunPhase.Waiting);
        Console.WriteLine($"waiting {id} {status.WaitDeadline:O}");
    }

    await Task.Delay(Timeout.Infinite);
}

await runtime.RecoverAsync(CancellationToken.None);
var waiting = await WaitForAsync(ids[1], status => status.Phase == RunPhase.Waiting);
var decision = JsonSerializer.SerializeToElement(new ApprovalDecision(ApprovalVerdict.Approved, "crash-test", DateTimeOffset.UtcNow), ContainmentJson.Options);
await runtime.RaiseEventAsync(ids[1], waiting.AwaitedEvent!, decision, CancellationToken.None);
foreach (var id in ids)
{
    var done = await WaitForAsync(id, status => status.Phase == RunPhase.Finished);
    Console.WriteLine($"finished {id} {done.Outcome!.Result} {string.Join(",", done.History.Select(step => $"{step.StepId}:{step.Outcome}"))}");
}

return 0;

async Task<RunStatusDocument> WaitForAsync(string id, Func<RunStatusDocument, bool> done)
{
    var deadline = DateTime.UtcNow.AddSeconds(60);
    while (DateTime.UtcNow < deadline)
    {
        if (await runtime.GetStatusAsync(id, CancellationToken.None) is { } status && done(status))
        {
            return status;
        }

        await Task.Delay(100);
    }

    throw new TimeoutException($"run {id} did not get there within 60 seconds");
}

static Playbook Parse(string steps) =>
    PlaybookParser.Parse("crash.json", $$"""{ "name": "crash", "trigger": {}, "steps": {{steps}} }""", PlaybookValidationContext.None).Playbook
    ?? throw new InvalidOperationException("crash playbook invalid");

static Alert Alert(string id) => new()
{
    Id = id,
    Source = "crash-test",
    Category = AlertCategory.ReverseShell,
    Severity = Severity.High,
    Time = DateTimeOffset.UtcNow,
    Target = new AlertTarget { Cluster = "crash", Namespace = id.Split('~')[1], Pod = id.Split('~')[2] },
};
