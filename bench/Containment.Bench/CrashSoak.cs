using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Containment.Local.Hosting;
using Containment.Runs;
using KubeSim;

namespace Containment.Bench;

/// <summary>
/// <c>containment soak</c>: isolate → approve → release runs while the host (<c>containment serve</c>) is
/// killed with SIGKILL at random moments and started again. Every run must end as it should, no pod may
/// be quarantined twice, and every pod must get its labels and network back exactly. Every fourth run is a container
/// escape, which cordons the pod's node, shared with other pods' runs, and gives it back on release: every node must
/// end as it began.
/// </summary>
internal static class CrashSoak
{
    public static async Task<CrashFigures> RunAsync(string repositoryRoot, int runs, int kills, int seed, TextWriter output, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("soak-");
        var random = new Random(seed);
        try
        {
            await using var azurite = await AzuriteServer.StartAsync(repositoryRoot, cancellationToken);
            await using var kube = await KubeSimServer.StartAsync(new KubeSimOptions { Seed = BenchHost.SeedOwnedByReplicaSets(runs), Rbac = true }, cancellationToken);
            var kubeconfig = Path.Combine(folder.FullName, "kubeconfig");
            await LeastPrivilegeKubeconfig.WriteAsync(kube, kubeconfig, cancellationToken);
            await using var chat = await ChatSink.StartAsync(cancellationToken);
            var port = FreePort.Next();
            var baseAddress = new Uri($"http://127.0.0.1:{port}/");
            var settings = BenchHost.Settings(repositoryRoot, azurite.ConnectionString, kubeconfig, chat.Url, baseAddress);
            var cli = Path.Combine(repositoryRoot, ".artifacts", "cli", "containment.dll");
            var host = await HostProcess.StartAsync(cli, settings, port, folder.FullName, cancellationToken);
            using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
            client.DefaultRequestHeaders.Add(Api.ApiKeyCheck.HeaderName, BenchHost.ApiKey);
            var before = new Dictionary<string, string>(StringComparer.Ordinal);
            var ownersBefore = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var index = 0; index < runs; index++)
            {
                var pod = await kube.Store.GetAsync(ResourceCatalog.Pods, BenchHost.Namespace, BenchHost.Pod(index), cancellationToken);
                before[BenchHost.Pod(index)] = Labels(pod);
                ownersBefore[BenchHost.Pod(index)] = Owners(pod);
            }

            var nodesBefore = new Dictionary<string, JsonObject?>(StringComparer.Ordinal);
            for (var node = 0; node < BenchHost.Nodes; node++)
            {
                nodesBefore[BenchHost.Node(node)] = NodeAsWritten(await kube.Store.GetAsync(ResourceCatalog.Nodes, null, BenchHost.Node(node), cancellationToken));
            }

            var clock = Stopwatch.StartNew();
            using var done = new CancellationTokenSource();
            var killed = 0;
            var killer = Task.Run(async () =>
            {
                while (killed < kills && !done.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(random.Next(300, 1800)), done.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                    if (done.IsCancellationRequested)
                    {
                        break;
                    }

                    await host.DisposeAsync();
                    killed++;
                    host = await HostProcess.StartAsync(cli, settings, port, folder.FullName, cancellationToken);
                }
            }, cancellationToken);

            var outcomes = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
            // Alerts arrive spread over the soak, so kills land in every phase of some run.
            var spread = TimeSpan.FromMilliseconds(200);
            await Task.WhenAll(Enumerable.Range(0, runs).Select(async index =>
            {
                await Task.Delay(spread * index, cancellationToken);
                outcomes[BenchHost.Pod(index)] = await OneRunAsync(client, chat, index, cancellationToken);
            }));
            await done.CancelAsync();
            await killer;
            var elapsed = clock.Elapsed;

            var restored = 0;
            var problems = new List<string>();
            foreach (var (pod, labels) in before)
            {
                var now = await kube.Store.GetAsync(ResourceCatalog.Pods, BenchHost.Namespace, pod, cancellationToken);
                var policy = await kube.Store.GetAsync(ResourceCatalog.NetworkPolicies, BenchHost.Namespace, $"containment-quarantine-{pod}", cancellationToken);
                if (Labels(now) == labels && now?["metadata"]?["annotations"]?.ToJsonString() == """{"team":"bench"}""" && policy is null && Owners(now) == ownersBefore[pod])
                {
                    restored++;
                }
                else
                {
                    problems.Add($"{pod} not restored: labels {Labels(now)}, annotations {now?["metadata"]?["annotations"]?.ToJsonString()}, owners {Owners(now)}, policy left {policy is not null}");
                }
            }

            // Each quarantine took the pod out of its ReplicaSet, which started a replacement; each release put it back,
            // and the ReplicaSet, one over, deleted the younger replacement: no pod but the seeded ones is left.
            var (podsLeft, _) = await kube.Store.ListAsync(ResourceCatalog.Pods, BenchHost.Namespace, LabelSelector.Everything, new Dictionary<string, string>(), cancellationToken);
            var replacementsLeft = podsLeft.Select(pod => (string)pod["metadata"]!["name"]!).Where(name => !before.ContainsKey(name)).ToList();
            if (replacementsLeft.Count > 0)
            {
                problems.Add($"{replacementsLeft.Count} pods besides the seeded ones are left: {string.Join(", ", replacementsLeft.Take(5))}");
            }

            var nodesRestored = 0;
            foreach (var (node, was) in nodesBefore)
            {
                var now = NodeAsWritten(await kube.Store.GetAsync(ResourceCatalog.Nodes, null, node, cancellationToken));
                if (JsonNode.DeepEquals(now, was))
                {
                    nodesRestored++;
                }
                else
                {
                    problems.Add($"{node} not given back: {now?.ToJsonString()}, where it was {was?.ToJsonString()}");
                }
            }

            // A create the API server refused (409: the fence went up before a kill and is found there) or that a kill cut
            // off is a request, not a second policy: what counts is the creates carried out.
            var policyPath = $"/apis/networking.k8s.io/v1/namespaces/{BenchHost.Namespace}/networkpolicies";
            var policyCreates = kube.Requests.CarriedOut("POST", policyPath);
            var createsNotCarriedOut = kube.Requests.Count("POST", policyPath) - policyCreates;
            var createsRefused = kube.Requests.Conflicts("POST", policyPath);
            // Likewise a patch a kill cut off, sent again once the host is back, is not the pod relabelled twice.
            var patches = before.Keys.Select(pod => kube.Requests.CarriedOut("PATCH", $"/api/v1/namespaces/{BenchHost.Namespace}/pods/{pod}")).ToList();
            var patchesNotCarriedOut = before.Keys.Sum(pod => kube.Requests.Count("PATCH", $"/api/v1/namespaces/{BenchHost.Namespace}/pods/{pod}")) - patches.Sum();
            var succeeded = outcomes.Count(outcome => outcome.Value == "succeeded");
            foreach (var failed in outcomes.Where(outcome => outcome.Value != "succeeded"))
            {
                problems.Add($"{failed.Key}: run ended {failed.Value}");
            }

            if (policyCreates != runs)
            {
                problems.Add($"{policyCreates} NetworkPolicy creates for {runs} pods");
            }

            if (patches.Any(count => count > 2))
            {
                problems.Add($"{patches.Count(count => count > 2)} pods were patched more than twice (quarantine once, release once)");
            }

            var recorded = 0;
            foreach (var pod in before.Keys)
            {
                var trail = await LedgerProblemAsync(client, pod, cancellationToken);
                if (trail is null)
                {
                    recorded++;
                }
                else
                {
                    problems.Add(trail);
                }
            }

            var eventsProcessed = 0;
            for (var index = 0; index < runs; index++)
            {
                foreach (var alertId in new[] { $"soak-{index}", JoiningAlertId(index) })
                {
                    var problem = await EventProblemAsync(client, alertId, cancellationToken);
                    if (problem is null)
                    {
                        eventsProcessed++;
                    }
                    else
                    {
                        problems.Add(problem);
                    }
                }
            }

            // Every run has ended: the cluster and the ledger must agree on every pod, whatever the kills left.
            var drift = (await client.GetFromJsonAsync<JsonObject>(new Uri("api/drift", UriKind.Relative), cancellationToken))!;
            foreach (var finding in drift["findings"]!.AsArray())
            {
                problems.Add($"drift: {finding!["pod"]} {finding["kind"]}: {finding["detail"]}");
            }

            await host.DisposeAsync();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"crash soak: {runs} isolate → approve → release runs, host killed with SIGKILL {killed} times at random moments (seed {seed}), {elapsed.TotalSeconds:F1} s; the host acts as {LeastPrivilegeKubeconfig.Identity}, bound only to Containment's role, on a KubeSim enforcing RBAC"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  runs succeeded: {succeeded}/{runs}; pods restored exactly (labels, annotations, owner, no policy): {restored}/{runs}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ReplicaSets (one per pod): pods left besides the {runs} seeded: {replacementsLeft.Count} (each isolation's replacement deleted by its ReplicaSet once the release gave the pod back)"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  NetworkPolicy creates carried out: {policyCreates} (one per pod; {createsNotCarriedOut} more: {createsRefused} refused as already there, {createsNotCarriedOut - createsRefused} cut off by a kill); pod patches carried out per pod: max {patches.Max()} (quarantine + release = 2; {patchesNotCarriedOut} more refused or cut off by a kill)"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ledger: {recorded}/{runs} isolations released, each with one approval and its isolation and release in the audit trail"));
            var escapes = Enumerable.Range(0, runs).Count(IsEscape);

            // Each escape's run writes its hold onto the node (with the cordon, for the first) and takes it off (with the
            // uncordon, for the last): a run whose cordon never happened would leave the nodes as they were all the same.
            var nodePatches = kube.Requests.CarriedOut("PATCH", "/api/v1/nodes/");
            if (nodePatches < 2 * escapes)
            {
                problems.Add($"{nodePatches} node patches carried out for {escapes} escapes: some cordon or uncordon did not happen");
            }

            var escapeNodes = Enumerable.Range(0, runs).Where(IsEscape).Select(index => index % BenchHost.Nodes).Distinct().Count();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  nodes: {escapes} runs were container escapes, their pods on {escapeNodes} of the {BenchHost.Nodes} nodes; each cordons its pod's node, held meanwhile for the other escapes there, until its release: {nodePatches} node patches carried out (a hold on, a hold off: 2 per escape); {nodesRestored}/{BenchHost.Nodes} nodes given back exactly (schedulable, no hold left)"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  security events: {eventsProcessed}/{2 * runs} alerts (each run's own and one that joined it) stored and marked processed by the isolation"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  drift check (GET /api/drift, nothing left to settle): {drift["findings"]!.AsArray().Count} disagreements between the cluster and the ledger"));
            foreach (var problem in problems)
            {
                output.WriteLine($"  PROBLEM: {problem}");
            }

            return new CrashFigures(runs, killed, succeeded, restored, policyCreates, patches.Max(), recorded, eventsProcessed, escapes, nodesRestored, problems.Count == 0);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    // Each step is retried while the host is down; an answer that the step was already done counts as done.
    private static async Task<string> OneRunAsync(HttpClient client, ChatSink chat, int index, CancellationToken cancellationToken)
    {
        var pod = BenchHost.Pod(index);
        var id = RunInstanceId.ForTarget(BenchHost.Cluster, BenchHost.Namespace, pod);
        await RetryAsync(async () =>
        {
            using var response = await client.PostAsync(new Uri("api/alerts", UriKind.Relative), new StringContent(BenchHost.Alert($"soak-{index}", index, Category(index)), Encoding.UTF8, "application/json"), cancellationToken);
            return (int)response.StatusCode == 202;
        }, cancellationToken);

        // A second alert for the pod joins its run: before the isolation, during it or after, across kills.
        await RetryAsync(async () =>
        {
            using var response = await client.PostAsync(new Uri("api/alerts", UriKind.Relative), new StringContent(BenchHost.Alert(JoiningAlertId(index), index, Category(index)), Encoding.UTF8, "application/json"), cancellationToken);
            return (int)response.StatusCode == 202;
        }, cancellationToken);

        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (DateTime.UtcNow < deadline)
        {
            var status = await StatusAsync(client, id, cancellationToken);
            switch ((string?)status?["phase"])
            {
                case "finished":
                    return (string?)status!["outcome"]?["result"] ?? "unknown";
                case "waiting" when chat.ApprovalLinks.TryGetValue(pod, out var link):
                    await RetryAsync(async () =>
                    {
                        using var decided = await client.PostAsync(link, new FormUrlEncodedContent([new("decision", "approve")]), cancellationToken);
                        return (int)decided.StatusCode is 200 or 409 or 410 or 404;
                    }, cancellationToken);
                    break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }

        return "timed out";
    }

    /// <summary>What is wrong with the pod's isolation record and audit trail after its run; null when nothing is.</summary>
    private static async Task<string?> LedgerProblemAsync(HttpClient client, string pod, CancellationToken cancellationToken)
    {
        var id = RunInstanceId.ForTarget(BenchHost.Cluster, BenchHost.Namespace, pod);
        using var response = await client.GetAsync(new Uri($"api/isolations/{Uri.EscapeDataString(id)}", UriKind.Relative), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return $"{pod}: no isolation record ({(int)response.StatusCode})";
        }

        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!;
        var actions = body["audit"]!.AsArray().Select(entry => (string?)entry!["action"]).ToList();
        var status = (string?)body["isolation"]!["status"];

        // A host killed after an activity's write and before the run saved it repeats the activity: an action
        // may be recorded twice, a decision never (it is written once, ETag-checked).
        return status == "released" && actions.Count(action => action == "approved") == 1 && actions.Contains("isolated") && actions.Contains("released")
            ? null
            : $"{pod}: ledger {status}, audit {string.Join(", ", actions)}";
    }

    private static string JoiningAlertId(int index) => $"soak-{index}-joining";

    private static bool IsEscape(int index) => index % 4 == 0;

    private static string Category(int index) => IsEscape(index) ? "container-escape" : "reverse-shell";

    /// <summary>A node as the cluster holds it, but for the resourceVersion every write moves on; null when it is gone.</summary>
    private static JsonObject? NodeAsWritten(JsonObject? node)
    {
        if (node?.DeepClone() is not JsonObject copy)
        {
            return null;
        }

        copy["metadata"]!.AsObject().Remove("resourceVersion");
        return copy;
    }

    /// <summary>What is wrong with the security event of the soak's alert <paramref name="alertId"/>; null when it is stored and processed.</summary>
    private static async Task<string?> EventProblemAsync(HttpClient client, string alertId, CancellationToken cancellationToken)
    {
        var id = $"bench:{alertId}";
        using var response = await client.GetAsync(new Uri($"api/events/{Uri.EscapeDataString(id)}", UriKind.Relative), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return $"{id}: no security event ({(int)response.StatusCode})";
        }

        var status = (string?)(await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!["event"]!["status"];
        return status == "processed" ? null : $"{id}: security event {status}";
    }

    private static async Task<JsonObject?> StatusAsync(HttpClient client, string id, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.GetAsync(new Uri($"api/runs/{Uri.EscapeDataString(id)}", UriKind.Relative), cancellationToken);
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken) : null;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task RetryAsync(Func<Task<bool>> attempt, CancellationToken cancellationToken)
    {
        for (var tries = 0; tries < 300; tries++)
        {
            try
            {
                if (await attempt())
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // The host is down or restarting.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }

        throw new TimeoutException("the host did not take the request in a minute");
    }

    private static string Labels(JsonObject? pod) => pod?["metadata"]?["labels"]?.ToJsonString() ?? "(no pod)";

    private static string Owners(JsonObject? pod) => pod?["metadata"]?["ownerReferences"]?.ToJsonString() ?? "(none)";
}
