using System.CommandLine;
using Containment.Runs;

namespace Containment.Local.Cli;

/// <summary><c>runs show ID</c>: where a run is and what each of its steps did, as <c>GET /api/runs/{id}</c> says.</summary>
internal static class RunsCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The run's instance id (cluster~namespace~pod), as alerts, isolate and release print it." };
        var connection = new HostConnection();
        var show = new Command("show", "Show where a run is and what each of its steps did.") { id };
        connection.AddTo(show);
        show.SetAction(async (parse, cancellationToken) =>
        {
            var path = $"api/runs/{Uri.EscapeDataString(parse.GetValue(id)!)}";
            if (await connection.SendAsync<RunStatusDocument>(parse, HttpMethod.Get, path, body: null, cancellationToken) is not { } run)
            {
                return ContainmentCli.Failed;
            }

            var output = parse.InvocationConfiguration.Output;
            await output.WriteLineAsync($"{run.InstanceId}: {KebabCaseEnumConverter.ToWireName(run.Phase)} ({run.Playbook}), started {run.StartedAt:u}: {TerminalText.Shown(run.CustomStatus ?? string.Empty)}");
            await output.WriteAsync(Table.Render(
                ["STEP", "TYPE", "OUTCOME", "STARTED", "ENDED", "DETAIL"],
                run.History.Select(step => new[]
                {
                    step.StepId, step.Type, KebabCaseEnumConverter.ToWireName(step.Outcome), step.StartedAt.ToString("u"),
                    step.EndedAt?.ToString("u") ?? string.Empty, step.Detail ?? string.Empty,
                })));
            return ContainmentCli.Ok;
        });
        return new Command("runs", "Follow the runs of a host.") { show };
    }
}
