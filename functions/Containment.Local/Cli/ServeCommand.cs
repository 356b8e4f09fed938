using System.CommandLine;
using Containment.Local.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Containment.Local.Cli;

/// <summary><c>serve [--port 7071] [--settings FILE]</c>: the local host, until Ctrl+C.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Loopback port to listen on.", DefaultValueFactory = _ => LocalHost.DefaultPort };
        var settings = new Option<string>("--settings")
        {
            Description = "Settings in Functions' local.settings.json format.",
            DefaultValueFactory = _ => Path.Combine(RepositoryPaths.Root, "local.settings.json"),
        };
        var serve = new Command("serve", "Run the local host (HTTP API on 127.0.0.1).") { port, settings };
        serve.SetAction(async (parse, cancellationToken) =>
        {
            var settingsFile = parse.GetValue(settings)!;
            if (!File.Exists(settingsFile))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"{settingsFile} does not exist: copy local.settings.sample.json to it and fill it in");
                return ContainmentCli.Failed;
            }

            await using var app = LocalHost.Create(parse.GetValue(port), settingsFile);
            await app.RunAsync(cancellationToken);
            return ContainmentCli.Ok;
        });
        return serve;
    }
}
