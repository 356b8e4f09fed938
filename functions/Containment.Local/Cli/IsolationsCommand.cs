using System.CommandLine;
using System.Net.Http.Json;
using Containment.Ledger;

namespace Containment.Local.Cli;

/// <summary><c>isolations list [--status S] [--url URL] [--key KEY]</c>: the isolation ledger as a table.</summary>
internal static class IsolationsCommand
{
    public static Command Create()
    {
        var status = new Option<string?>("--status") { Description = "Only this status: isolating, isolated, releasing, released, failed." };
        var connection = new HostConnection();
        var list = new Command("list", "List isolation records.") { status };
        connection.AddTo(list);
        list.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            using var client = connection.CreateClient(parse);
            var query = parse.GetValue(status) is { Length: > 0 } wanted ? $"?status={Uri.EscapeDataString(wanted)}" : string.Empty;
            try
            {
                using var response = await client.GetAsync(new Uri("api/isolations" + query, UriKind.Relative), cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    await error.WriteLineAsync($"{(int)response.StatusCode} {response.ReasonPhrase}\n{await response.Content.ReadAsStringAsync(cancellationToken)}");
                    return ContainmentCli.Failed;
                }

                var page = await response.Content.ReadFromJsonAsync<IsolationPage>(ContainmentJson.Options, cancellationToken);
                await output.WriteAsync(Table.Render(
                    ["ID", "STATUS", "CLUSTER", "NAMESPACE", "POD", "CHANGED", "BY", "REASON"],
                    page!.Isolations.Select(record => new[]
                    {
                        record.Id, KebabCaseEnumConverter.ToWireName(record.Status), record.Cluster, record.Namespace, record.Pod,
                        record.ChangedAt.ToString("u"), record.ChangedBy, record.FailureReason ?? record.Reason ?? string.Empty,
                    })));
                return ContainmentCli.Ok;
            }
            catch (HttpRequestException exception)
            {
                await error.WriteLineAsync($"cannot reach {client.BaseAddress}: {exception.Message}");
                return ContainmentCli.Failed;
            }
        });

        return new Command("isolations", "Query the isolation ledger of a host.") { list };
    }

    private sealed record IsolationPage(IReadOnlyList<IsolationRecord> Isolations);
}
