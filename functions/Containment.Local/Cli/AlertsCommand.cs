using System.CommandLine;
using System.Net.Http.Headers;

namespace Containment.Local.Cli;

/// <summary><c>alerts send FILE [--url URL] [--key KEY]</c>: posts an alert file, in any supported format, to a host.</summary>
internal static class AlertsCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "An alert payload (Defender, Sentinel, Falco, Event Grid, CloudEvents or native JSON)." };
        var contentType = new Option<string>("--content-type")
        {
            Description = "Content type to send (application/cloudevents+json for a structured cloud event).",
            DefaultValueFactory = _ => "application/json",
        };
        var connection = new HostConnection();
        var send = new Command("send", "Post an alert file to a host's /api/alerts.") { file, contentType };
        connection.AddTo(send);
        send.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                await error.WriteLineAsync($"{path.FullName}: no such file");
                return ContainmentCli.Failed;
            }

            using var client = connection.CreateClient(parse);
            using var content = new ByteArrayContent(await File.ReadAllBytesAsync(path.FullName, cancellationToken));
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(parse.GetValue(contentType)!);
            try
            {
                using var response = await client.PostAsync(new Uri("api/alerts", UriKind.Relative), content, cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                await (response.IsSuccessStatusCode ? output : error).WriteLineAsync(HostConnection.Answer(response, body));
                return response.IsSuccessStatusCode ? ContainmentCli.Ok : ContainmentCli.Failed;
            }
            catch (HttpRequestException exception)
            {
                await error.WriteLineAsync(HostConnection.CannotReach(client, exception));
                return ContainmentCli.Failed;
            }
        });

        return new Command("alerts", "Send alerts to a host.") { send };
    }
}
