using Containment.Tests.EndToEnd;
using Containment.Tests.Support;
using Microsoft.Playwright;

namespace Containment.Tests.Browser;

/// <summary>
/// A person's path, in a real browser (Debian's Chromium driven by Playwright): open the approval link
/// from the chat message, read the page, click Approve, and see the run release the pod.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class ApprovalPageBrowserTests(LocalHostFixture host)
{
    [Fact]
    public async Task ApprovalLinkFromChat_ClickApprove_ReleasesThePod()
    {
        using var flow = new FlowClient(host);
        var pod = host.TakePod();
        var before = await flow.PodAsync(pod);
        var (_, body) = await flow.PostAsync("api/alerts", FlowClient.Payload("defender-arm-reverse-shell.json", pod));
        var instanceId = (string)body["alerts"]![0]!["instanceId"]!;
        await flow.RunUntilAsync(instanceId, FlowClient.Waiting);
        var link = (await flow.ApprovalLinkAsync(pod)).ToString();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await HeadlessChromium.NewPageAsync(browser);
        var opened = await page.GotoAsync(link);

        Assert.Equal(200, opened!.Status);
        Assert.Contains(pod, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.True(FlowClient.Waiting(await flow.RunUntilAsync(instanceId, _ => true)), "opening the page must decide nothing");
        await page.FillAsync("textarea[name=comment]", "looked at it in the browser");
        await page.FillAsync("input[name=name]", "Ana (SOC)");
        await page.ClickAsync("button[value=approve]");

        Assert.Contains("Approved", await page.InnerTextAsync("body"), StringComparison.Ordinal);
        var done = await flow.RunUntilAsync(instanceId, FlowClient.Finished);
        Assert.Equal("succeeded", (string?)done["outcome"]!["result"]);
        Assert.Equal(before!["metadata"]!["labels"]!.ToJsonString(), (await flow.PodAsync(pod))!["metadata"]!["labels"]!.ToJsonString());
    }
}
