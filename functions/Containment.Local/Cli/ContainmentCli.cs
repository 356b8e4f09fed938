using System.CommandLine;
using Containment.Local.Hosting;

namespace Containment.Local.Cli;

/// <summary>The <c>./containment</c> verbs. Exit codes: 0 ok, 1 invalid input or a failed check, 2 usage.</summary>
public static class ContainmentCli
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var root = BuildRootCommand();
        var configuration = new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,

            // A settings file that cannot be read is the user's to mend: told as such below, without a stack trace.
            EnableDefaultExceptionHandler = false,
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var parseError in parse.Errors)
            {
                await configuration.Error.WriteLineAsync(parseError.Message);
            }

            return Usage;
        }

        try
        {
            return await parse.InvokeAsync(configuration);
        }
        catch (SettingsFileException unreadable)
        {
            await configuration.Error.WriteLineAsync(unreadable.Message);
            return Failed;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            await configuration.Error.WriteLineAsync($"Unhandled exception: {exception}");
            return Failed;
        }
    }

    private static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("Containment: container-incident response playbooks for AKS.")
        {
            PlaybooksCommand.Create(),
            ServeCommand.Create(),
            AlertsCommand.Create(),
            IsolationsCommand.Create(),
            EventsCommand.Create(),
            PoisonCommand.Create(),
            RunsCommand.Create(),
            RbacCommand.Create(),
            KubeSimCommand.Create(),
            DemoCommand.Create(),
        };
        return root;
    }
}
