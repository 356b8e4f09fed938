using Containment.Local.Cli;

namespace Containment.Tests.Cli;

/// <summary>The options every verb that talks to a host shares.</summary>
public sealed class HostConnectionTests
{
    [Theory]
    [InlineData("ftp://127.0.0.1:7071")]
    [InlineData("127.0.0.1:7071")]
    [InlineData("not a url")]
    public async Task Url_NotHttp_IsAUsageErrorSayingWhatIsExpected_AndSendsNothing(string url)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await ContainmentCli.RunAsync(["events", "list", "--url", url, "--key", "k"], output, error);

        Assert.Equal(ContainmentCli.Usage, exit);
        Assert.Equal($"--url '{url}' is not an http(s) address such as http://127.0.0.1:7071", error.ToString().Trim());
        Assert.Empty(output.ToString());
    }
}
