using Containment.Local.Cli;
using Containment.Tests.Support;

namespace Containment.Tests.Cli;

public sealed class PlaybooksValidateCommandTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("cli-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public async Task Validate_ShippedPlaybooks_ExitsZero()
    {
        var (exit, output) = await Run("playbooks", "validate", RepositoryRoot.Combine("playbooks"));

        Assert.Equal(ContainmentCli.Ok, exit);
        Assert.EndsWith("playbook(s) valid", output.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_BadFile_PrintsFilePointerMessageAndExitsOne()
    {
        var file = Path.Combine(folder.FullName, "bad.json");
        await File.WriteAllTextAsync(file, """{ "name": "bad", "trigger": {}, "steps": [{ "id": "w", "type": "wait", "duration": "10m" }] }""");

        var (exit, output) = await Run("playbooks", "validate", file);

        Assert.Equal(ContainmentCli.Failed, exit);
        Assert.Equal($"{file}:/steps/0/duration: \"10m\" is not an ISO 8601 duration such as PT30M, PT4H or P1DT12H", output.Trim());
    }

    [Fact]
    public async Task Playbooks_UnknownVerb_ExitsTwo()
    {
        var (exit, _) = await Run("playbooks", "frobnicate");

        Assert.Equal(ContainmentCli.Usage, exit);
    }

    private static async Task<(int Exit, string Output)> Run(params string[] args)
    {
        var (exit, output, _) = await CliRun.RunAsync(args);
        return (exit, output);
    }
}
