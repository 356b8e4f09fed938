using System.CommandLine;
using Containment.Intake;
using Containment.Ledger;

namespace Containment.Local.Cli;

/// <summary>
/// <c>isolations list [--status S] [--cluster C] [--namespace N] [--limit N] [--cursor C]</c>: the isolation ledger as a
/// table, a page at a time, the last changed first; <c>isolations isolate --cluster C --namespace N --pod P --reason R</c>:
/// a pod isolated by hand; <c>isolations release ID --reason R</c>: a pod given back by hand;
/// <c>isolations drift</c> (<see cref="DriftCommand"/>). Each takes <c>--url URL --key KEY</c>.
/// </summary>
internal static class IsolationsCommand
{
    public static Command Create() =>
        new("isolations", "Query the isolation ledger of a host, isolate or release a pod by hand, compare the clusters with the ledger.") { List(), Isolate(), Release(), DriftCommand.Create() };

    private static Command List()
    {
        var status = new Option<string?>("--status") { Description = "Only this status: isolating, isolated, releasing, released, failed." };
        var cluster = new Option<string?>("--cluster") { Description = "Only this cluster: its alias, in any case, or its AKS resource id." };
        var ns = new Option<string?>("--namespace") { Description = "Only this namespace." };
        var page = new PageOptions("Records");
        var connection = new HostConnection();
        var list = new Command("list", "List isolation records, the last changed first.") { status, cluster, ns };
        page.AddTo(list);
        connection.AddTo(list);
        list.SetAction(async (parse, cancellationToken) =>
        {
            var path = page.PathOf(parse, "api/isolations", ("status", parse.GetValue(status)), ("cluster", parse.GetValue(cluster)), ("namespace", parse.GetValue(ns)));
            if (await connection.SendAsync<IsolationPage>(parse, HttpMethod.Get, path, body: null, cancellationToken) is not { } listed)
            {
                return ContainmentCli.Failed;
            }

            var output = parse.InvocationConfiguration.Output;
            await output.WriteAsync(Table.Render(
                ["ID", "STATUS", "CLUSTER", "NAMESPACE", "POD", "CHANGED", "BY", "REASON"],
                listed.Isolations.Select(record => new[]
                {
                    record.Id, KebabCaseEnumConverter.ToWireName(record.Status), record.Cluster, record.Namespace, record.Pod,
                    record.ChangedAt.ToString("u"), record.ChangedBy, record.FailureReason ?? record.Reason ?? string.Empty,
                })));
            await PageOptions.WriteNextAsync(output, listed.Next);
            return ContainmentCli.Ok;
        });
        return list;
    }

    private static Command Isolate()
    {
        var cluster = new Option<string>("--cluster") { Description = "The cluster: its alias, or its AKS resource id.", Required = true };
        var ns = new Option<string>("--namespace") { Description = "The pod's namespace.", Required = true };
        var pod = new Option<string>("--pod") { Description = "The pod's name.", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why, for the audit trail.", Required = true };
        var connection = new HostConnection();
        var isolate = new Command("isolate", "Isolate a pod by hand: runs manual-isolate, which cuts it off and records it.") { cluster, ns, pod, reason };
        connection.AddTo(isolate);
        isolate.SetAction(async (parse, cancellationToken) =>
        {
            var body = new { Cluster = parse.GetValue(cluster), Namespace = parse.GetValue(ns), Pod = parse.GetValue(pod), Reason = parse.GetValue(reason) };
            return await connection.SendAsync<RunStarted>(parse, HttpMethod.Post, "api/isolations", body, cancellationToken) is { } started
                ? await WriteStartedAsync(parse, "isolation", started)
                : ContainmentCli.Failed;
        });
        return isolate;
    }

    private static Command Release()
    {
        var id = new Argument<string>("id") { Description = "The isolation's id, as listed (cluster~namespace~pod); for a pod with no record, as the drift check names it." };
        var reason = new Option<string>("--reason") { Description = "Why, for the audit trail.", Required = true };
        var connection = new HostConnection();
        var release = new Command("release", "Give a pod back by hand: ends any run holding it and runs manual-release; a pod still quarantined is released whatever its record says.") { id, reason };
        connection.AddTo(release);
        release.SetAction(async (parse, cancellationToken) =>
        {
            var isolationId = parse.GetValue(id)!;
            var body = new { Reason = parse.GetValue(reason) };
            return await connection.SendAsync<RunStarted>(parse, HttpMethod.Post, $"api/isolations/{Uri.EscapeDataString(isolationId)}/release", body, cancellationToken) is { } started
                ? await WriteStartedAsync(parse, "release", started)
                : ContainmentCli.Failed;
        });
        return release;
    }

    private static async Task<int> WriteStartedAsync(ParseResult parse, string what, RunStarted started)
    {
        await parse.InvocationConfiguration.Output.WriteLineAsync(
            $"{started.IsolationId}: {what} {KebabCaseEnumConverter.ToWireName(started.Run.Outcome)}, run {started.Run.InstanceId} ({started.Run.Playbook}); its progress: {started.Run.StatusUrl}");
        return ContainmentCli.Ok;
    }

    /// <summary>The answer to an isolation or a release by hand: the pod's isolation id and the run admitted.</summary>
    private sealed record RunStarted(string IsolationId, AdmissionEntry Run);

    private sealed record IsolationPage(IReadOnlyList<IsolationRecord> Isolations, string? Next = null);
}
