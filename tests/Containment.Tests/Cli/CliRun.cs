using Containment.Local.Cli;

namespace Containment.Tests.Cli;

/// <summary>Runs <c>./containment</c> in process, as a user would type it: its exit code and what it wrote to each stream.</summary>
internal static class CliRun
{
    public static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await ContainmentCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
