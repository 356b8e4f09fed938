using System.CommandLine;
using Containment.Local.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

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

            // A file that is not settings throws SettingsFileException, which the CLI tells as it is.
            await using var app = LocalHost.Create(parse.GetValue(port), settingsFile);

            // Every setting checked before the host starts, so each wrong one is told, rather than the first as the host's crash.
            if (InvalidSettings(app) is { Count: > 0 } failures)
            {
                foreach (var failure in failures)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"{settingsFile}: {failure}");
                }

                return ContainmentCli.Failed;
            }

            await app.RunAsync(cancellationToken);
            return ContainmentCli.Ok;
        });
        return serve;
    }

    /// <summary>What the options validated at start say is wrong; none when all are valid.</summary>
    private static List<string> InvalidSettings(WebApplication app)
    {
        try
        {
            app.Services.GetService<IStartupValidator>()?.Validate();
            return [];
        }
        catch (OptionsValidationException invalid)
        {
            return [.. invalid.Failures];
        }
        catch (AggregateException several) when (several.InnerExceptions.All(inner => inner is OptionsValidationException))
        {
            return [.. several.InnerExceptions.Cast<OptionsValidationException>().SelectMany(invalid => invalid.Failures)];
        }
    }
}
