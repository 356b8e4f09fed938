using System.CommandLine;
using Containment.Local.Demo;

namespace Containment.Local.Cli;

/// <summary><c>demo</c>: the main job end to end on embedded defaults, printed step by step.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var demo = new Command("demo", "Run the whole flow on this machine: alert → isolation → ledger → approval → release.");
        demo.SetAction((parse, cancellationToken) => new DemoScript(parse.InvocationConfiguration.Output).RunAsync(cancellationToken));
        return demo;
    }
}
