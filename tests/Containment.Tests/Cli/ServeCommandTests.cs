using Containment.Local.Cli;

namespace Containment.Tests.Cli;

/// <summary><c>serve</c> with settings it cannot start on: each problem told on a line that names the file, exit 1, no host started.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("serve-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public async Task Serve_SettingsNotJson_SaysWhereInTheFile()
    {
        var file = Write("""
            {
              "Values": {
                "Containment__Api__Key": "0123456789abcdef0123"
                "Containment__Approvals__SigningKey": "x"
            }
            """);

        var (exit, error) = await ServeAsync(file);

        Assert.Equal(ContainmentCli.Failed, exit);
        Assert.Equal($"{file}:4:5: not valid JSON ('\"' is invalid after a value. Expected either ',', '}}', or ']')", error.Trim());
    }

    [Fact]
    public async Task Serve_SettingsWithoutValues_SaysWhatIsExpected()
    {
        var file = Write("""{ "IsEncrypted": false, "Values": ["AzureWebJobsStorage"] }""");

        var (exit, error) = await ServeAsync(file);

        Assert.Equal(ContainmentCli.Failed, exit);
        Assert.Equal($"{file}: expected an object \"Values\" holding the settings, as in local.settings.sample.json", error.Trim());
    }

    [Fact]
    public async Task Serve_SettingsInvalid_EveryProblemOnALineOfItsOwn()
    {
        var file = Write("""
            { "Values": {
                "AzureWebJobsStorage": "UseDevelopmentStorage=true",
                "Containment__PlaybooksPath": "playbooks",
                "Containment__Api__Key": "short",
                "Containment__Approvals__SigningKey": null
            } }
            """);

        var (exit, error) = await ServeAsync(file);

        var lines = error.Trim().Split('\n');
        Assert.Equal(ContainmentCli.Failed, exit);
        Assert.Contains($"{file}: Containment:Api:Key must be at least 16 characters", lines);
        Assert.Contains($"{file}: Containment:Approvals:SigningKey is required (at least 32 bytes, base64 or text)", lines);
        Assert.All(lines, line => Assert.StartsWith(file + ": ", line, StringComparison.Ordinal));
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
    }

    private string Write(string json)
    {
        var file = Path.Combine(folder.FullName, "local.settings.json");
        File.WriteAllText(file, json);
        return file;
    }

    private static async Task<(int Exit, string Error)> ServeAsync(string settings)
    {
        var (exit, _, error) = await CliRun.RunAsync("serve", "--settings", settings, "--port", "1");
        return (exit, error.Replace("\r\n", "\n", StringComparison.Ordinal));
    }
}
