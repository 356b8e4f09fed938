using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Containment.Api;
using Containment.Isolation.Drift;
using Containment.Local.Cli;
using Containment.Local.Hosting;
using KubeSim;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Containment.Local.Demo;

/// <summary>
/// The main job end to end on embedded defaults: Azurite, a KubeSim cluster with a web Deployment, the
/// local host; a Defender reverse-shell alert isolates a pod, a person approves the release by the link
/// sent to chat, and the pod comes back exactly as it was. Prints each step; fails if any check does.
/// </summary>
internal sealed partial class DemoScript(TextWriter output)
{
    private const string Pod = "web-7d9f8b6c5-x2k4p";
    private const string Namespace = "shop";
    private const string ApiKey = "demo-key-not-for-production";
    private int failures;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var root = RepositoryPaths.Root;
        var work = Directory.CreateTempSubdirectory("containment-demo-");
        Say("starting Azurite (Table Storage), KubeSim (the cluster) and the local host");
        await using var azurite = await AzuriteServer.StartAsync(root, cancellationToken);
        await using var cluster = await KubeSimServer.StartAsync(new KubeSimOptions { SeedFile = Path.Combine(root, "tools", "KubeSim", "seeds", "demo.yaml"), Rbac = true }, cancellationToken);
        using var kube = new HttpClient { BaseAddress = cluster.BaseUrl };
        kube.DefaultRequestHeaders.Authorization = new("Bearer", KubeSimServer.AdminToken);
        var kubeconfig = Path.Combine(work.FullName, "kubeconfig");
        await LeastPrivilegeKubeconfig.WriteAsync(cluster, kubeconfig, cancellationToken);
        Say($"   Containment reaches the cluster as {LeastPrivilegeKubeconfig.Identity}, bound to the role ./containment rbac prints and nothing else; KubeSim refuses (403) what RBAC does not grant");
        await using var chat = await DemoReceiver.StartAsync(cancellationToken);
        var port = FreePort.Next();
        var baseUrl = new Uri($"http://127.0.0.1:{port}/");
        await using var host = LocalHost.Create(port, settingsFile: null, Settings(azurite, kubeconfig, chat, baseUrl, root));
        await host.StartAsync(cancellationToken);
        using var api = new HttpClient { BaseAddress = baseUrl };
        api.DefaultRequestHeaders.Add(ApiKeyCheck.HeaderName, ApiKey);

        var before = await PodAsync(kube, cancellationToken);
        var podsBefore = await PodNamesAsync(kube, cancellationToken);
        Say($"cluster: pod {Namespace}/{Pod} labels {Labels(before)}; policies: {string.Join(", ", await PoliciesAsync(kube, cancellationToken))}");

        Say("1. Defender for Containers reports a reverse shell in the pod (POST /api/alerts)");
        using var alert = new StringContent(await File.ReadAllTextAsync(Path.Combine(root, "tools", "demo", "defender-reverse-shell.json"), cancellationToken), Encoding.UTF8, "application/json");
        using var posted = await api.PostAsync(new Uri("api/alerts", UriKind.Relative), alert, cancellationToken);
        var entry = (await posted.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!["alerts"]![0]!;
        var instanceId = (string)entry["instanceId"]!;
        Check((int)posted.StatusCode == 202 && (string?)entry["outcome"] == "started", $"{(int)posted.StatusCode}: run {instanceId} {entry["outcome"]} with playbook {entry["playbook"]}");

        var waiting = await RunAsync(api, instanceId, "waiting", cancellationToken);
        Say($"2. the run: {string.Join(" → ", waiting["history"]!.AsArray().Select(step => $"{step!["stepId"]} ({step["outcome"]})"))}");
        var isolated = await PodAsync(kube, cancellationToken);
        Check(Labels(isolated).Contains("containment.io/quarantine", StringComparison.Ordinal), $"pod labels now {Labels(isolated)}: out of the Service and of every policy");
        var policies = await PoliciesAsync(kube, cancellationToken);
        Check(policies.Contains($"containment-quarantine-{Pod}"), $"policies now: {string.Join(", ", policies)}");
        Check(Owners(isolated) == "[]" && Owners(before) != "[]",
            $"the ReplicaSet let the pod go (it has no owner now) and started a replacement: pods {string.Join(", ", await PodNamesAsync(kube, cancellationToken))}");
        var record = (await api.GetFromJsonAsync<JsonObject>(new Uri($"api/isolations/{Uri.EscapeDataString(instanceId)}", UriKind.Relative), cancellationToken))!;
        Check((string?)record["isolation"]!["status"] == "isolated", $"3. ledger: isolation {record["isolation"]!["status"]}; audit: {string.Join(", ", record["audit"]!.AsArray().Select(item => item!["action"]))}");
        var events = (await api.GetFromJsonAsync<JsonObject>(new Uri("api/events", UriKind.Relative), cancellationToken))!["events"]!.AsArray();
        Say($"   security event: {events[0]!["id"]} is {events[0]!["status"]}");
        Say($"4. chat received: {string.Join(" | ", chat.Messages.Select(DemoReceiver.Title))}");

        var link = chat.Messages.Select(message => ApprovalLink().Match(message)).FirstOrDefault(match => match.Success)?.Value;
        Check(link is not null, $"5. the analyst opens the approval link {link?[..Math.Min(60, link.Length)]}...");
        using var analyst = new HttpClient();
        using var page = await analyst.GetAsync(new Uri(link!), cancellationToken);
        Check((int)page.StatusCode == 200, $"   the page shows the request ({(int)page.StatusCode}); opening it decided nothing");
        using var form = new FormUrlEncodedContent([new("decision", "approve"), new("comment", "checked the pod, false alarm"), new("name", "Ana (SOC)")]);
        using var decided = await analyst.PostAsync(new Uri(link!), form, cancellationToken);
        Check((int)decided.StatusCode == 200, $"   approve posted ({(int)decided.StatusCode})");

        var done = await RunAsync(api, instanceId, "finished", cancellationToken);
        Say($"6. the run: {string.Join(" → ", done["history"]!.AsArray().Select(step => $"{step!["stepId"]} ({step["outcome"]})"))}; {done["customStatus"]}");
        var after = await PodAsync(kube, cancellationToken);
        Check(Labels(after) == Labels(before), $"pod labels restored exactly: {Labels(after)}");
        Check(!(await PoliciesAsync(kube, cancellationToken)).Contains($"containment-quarantine-{Pod}"), "quarantine policies removed");
        var podsAfter = await PodNamesAsync(kube, cancellationToken);
        Check(Owners(after) == Owners(before) && podsAfter.SequenceEqual(podsBefore),
            $"the ReplicaSet took the pod back (owner {after["metadata"]!["ownerReferences"]![0]!["name"]}) and deleted its replacement: pods {string.Join(", ", podsAfter)}");
        var released = (await api.GetFromJsonAsync<JsonObject>(new Uri($"api/isolations/{Uri.EscapeDataString(instanceId)}", UriKind.Relative), cancellationToken))!;
        Check((string?)released["isolation"]!["status"] == "released", $"ledger: isolation {released["isolation"]!["status"]} by {released["isolation"]!["changedBy"]}");
        var drift = (await api.GetFromJsonAsync<JsonObject>(new Uri("api/drift", UriKind.Relative), cancellationToken))!;
        var clusters = drift["clusters"]!.AsArray();
        Check(drift["findings"]!.AsArray().Count == 0 && clusters.All(cluster => cluster!["error"] is null && cluster["missingPermissions"] is JsonArray { Count: 0 }),
            $"7. drift check (GET /api/drift): {string.Join("; ", clusters.Select(cluster => $"{cluster!["cluster"]} {cluster["quarantinedPods"]} quarantined, {cluster["isolatedRecords"]} isolated, missing permissions: {cluster["missingPermissions"]?.AsArray().Count.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "not asked"}"))}; {drift["findings"]!.AsArray().Count} disagreements with the ledger");

        Say($"8. someone quarantines the pod by hand (kubectl label pod {Pod} containment.io/quarantine=by-hand)");
        await LabelAsync(kube, "by-hand", cancellationToken);
        var watch = host.Services.GetRequiredService<DriftWatch>();
        var chatBefore = chat.Messages.Count;
        var round = await watch.RunAsync(cancellationToken);
        var reported = chat.Messages.Skip(chatBefore).Select(DemoReceiver.Title).ToList();
        Check(round.Reported.Count > 0 && reported.Any(title => title.StartsWith("Drift:", StringComparison.Ordinal)),
            $"   the drift watch's round (its timer runs one every Containment__Drift__Every) reports {string.Join(", ", round.Reported.Select(finding => KebabCaseEnumConverter.ToWireName(finding.Kind)))} to chat: {string.Join(" | ", reported.Distinct())}");
        var again = await watch.RunAsync(cancellationToken);
        Check(again.Reported.Count == 0 && again.Report.Findings.Count > 0 && again.Report.Findings.Count == round.Reported.Count, $"   the next round finds the same {again.Report.Findings.Count} and reports nothing again");
        using var remedy = JsonContent.Create(new { reason = "drift report: quarantined by hand" });
        using var releasing = await api.PostAsync(new Uri($"api/isolations/{Uri.EscapeDataString(instanceId)}/release", UriKind.Relative), remedy, cancellationToken);
        var remedied = await RunAsync(api, instanceId, "finished", cancellationToken);
        var givenBack = await PodAsync(kube, cancellationToken);
        Check((int)releasing.StatusCode == 202 && (string?)remedied["playbook"] == "manual-release" && Labels(givenBack) == Labels(before),
            $"   release by hand, the remedy the report names (POST /api/isolations/{{id}}/release, {(int)releasing.StatusCode}): run {remedied["playbook"]} {remedied["customStatus"]}; pod labels {Labels(givenBack)}");
        var chatBeforeClear = chat.Messages.Count;
        var cleared = await watch.RunAsync(cancellationToken);
        Check(cleared.Report.Findings.Count == 0 && cleared.Cleared.Count > 0 && cleared.Cleared.Count == round.Reported.Count,
            $"   the round after finds none, forgets the {cleared.Cleared.Count} it reported and says so: {string.Join(" | ", chat.Messages.Skip(chatBeforeClear).Select(DemoReceiver.Title).Distinct())}");

        Say("9. a SIEM rule sends what no parser reads (POST /api/alerts)");
        using var unreadable = new StringContent("""{ "AlertName": "Suspicious process", "Entities": "[{\"Type\": \"pod\"" }""", Encoding.UTF8, "application/json");
        using var refused = await api.PostAsync(new Uri("api/alerts", UriKind.Relative), unreadable, cancellationToken);
        var refusal = (await refused.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!;
        var kept = (await api.GetFromJsonAsync<JsonObject>(new Uri("api/poison?limit=1", UriKind.Relative), cancellationToken))!["poison"]!.AsArray().FirstOrDefault();
        Check((int)refused.StatusCode == 400 && kept is not null && ((string)refusal["error"]!).Contains((string)kept["id"]!, StringComparison.Ordinal),
            $"   refused with 400, nothing started: {refusal["error"]}");
        Check(kept?["body"]?.GetValue<string>() == await unreadable.ReadAsStringAsync(cancellationToken),
            $"   GET /api/poison shows it as sent, with the reason the sender was given: {kept?["reason"]}");

        await host.StopAsync(cancellationToken);
        work.Delete(recursive: true);
        Say(failures == 0 ? "demo complete: every check held; everything started was stopped" : $"demo FAILED: {failures} check(s) did not hold");
        return failures == 0 ? ContainmentCli.Ok : ContainmentCli.Failed;
    }

    private static Dictionary<string, string?> Settings(AzuriteServer azurite, string kubeconfig, DemoReceiver chat, Uri baseUrl, string root) => new()
    {
        ["AzureWebJobsStorage"] = azurite.ConnectionString,
        ["Containment:Api:Key"] = ApiKey,
        ["Containment:PlaybooksPath"] = Path.Combine(root, "playbooks"),
        ["Containment:Approvals:SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        ["Containment:Approvals:BaseUrl"] = baseUrl.ToString(),
        ["Containment:Clusters:aks-shop-prod:Kubeconfig"] = kubeconfig,
        ["Containment:Clusters:aks-shop-prod:ResourceId"] = "/subscriptions/4f6b2d1e-8c3a-4b7e-9d21-5a0c7e3f9b10/resourceGroups/rg-shop-prod/providers/Microsoft.ContainerService/managedClusters/aks-shop-prod",
        ["Containment:Clusters:aks-shop-prod:NetworkPolicyEngine"] = "Cilium",
        ["Containment:Notifications:Channels:soc-teams:Type"] = "teams",
        ["Containment:Notifications:Channels:soc-teams:Url"] = chat.Url.ToString(),
        ["Containment:Notifications:Channels:soc-email:Type"] = "slack",
        ["Containment:Notifications:Channels:soc-email:Url"] = chat.Url.ToString(),
        ["Containment:Notifications:Channels:soc-oncall:Type"] = "webhook",
        ["Containment:Notifications:Channels:soc-oncall:Url"] = chat.Url.ToString(),
        ["Containment:Drift:Channels:0"] = "soc-teams",

        // Step 8 runs when no run is under way; a run's record changed a moment ago does not wait a minute to count.
        ["Containment:Drift:Settling"] = "00:00:00",
        ["Logging:LogLevel:Default"] = "Warning",

        // Step 8 makes a disagreement on purpose and prints what the watch reports.
        ["Logging:LogLevel:" + typeof(DriftWatch).FullName] = "Error",
    };

    private static async Task<JsonObject> RunAsync(HttpClient api, string instanceId, string phase, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var status = (await api.GetFromJsonAsync<JsonObject>(new Uri($"api/runs/{Uri.EscapeDataString(instanceId)}", UriKind.Relative), cancellationToken))!;
            if ((string?)status["phase"] == phase || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static async Task<JsonObject> PodAsync(HttpClient kube, CancellationToken cancellationToken) =>
        (await kube.GetFromJsonAsync<JsonObject>(new Uri($"api/v1/namespaces/{Namespace}/pods/{Pod}", UriKind.Relative), cancellationToken))!;

    private static async Task<List<string>> PodNamesAsync(HttpClient kube, CancellationToken cancellationToken) =>
        (await kube.GetFromJsonAsync<JsonObject>(new Uri($"api/v1/namespaces/{Namespace}/pods", UriKind.Relative), cancellationToken))!["items"]!.AsArray()
            .Select(item => (string)item!["metadata"]!["name"]!).ToList();

    private static async Task<List<string>> PoliciesAsync(HttpClient kube, CancellationToken cancellationToken) =>
        (await kube.GetFromJsonAsync<JsonObject>(new Uri($"apis/networking.k8s.io/v1/namespaces/{Namespace}/networkpolicies", UriKind.Relative), cancellationToken))!["items"]!.AsArray()
            .Select(item => (string)item!["metadata"]!["name"]!).ToList();

    private static async Task LabelAsync(HttpClient kube, string quarantine, CancellationToken cancellationToken)
    {
        var patch = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["containment.io/quarantine"] = quarantine } } };
        using var content = new StringContent(patch.ToJsonString(), Encoding.UTF8, "application/merge-patch+json");
        using var response = await kube.PatchAsync(new Uri($"api/v1/namespaces/{Namespace}/pods/{Pod}", UriKind.Relative), content, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    private static string Labels(JsonObject pod) => pod["metadata"]!["labels"]!.ToJsonString();

    private static string Owners(JsonObject pod) => pod["metadata"]!["ownerReferences"]?.ToJsonString() ?? "[]";

    private void Say(string line) => output.WriteLine(line);

    private void Check(bool held, string line)
    {
        output.WriteLine($"{(held ? "  ok" : "FAIL")} {line}");
        failures += held ? 0 : 1;
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/api/approvals/[A-Za-z0-9_\-\.]+")]
    private static partial Regex ApprovalLink();
}
