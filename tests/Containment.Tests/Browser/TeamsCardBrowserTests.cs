using System.Text.Json;
using System.Text.Json.Nodes;
using Containment.Notifications;
using Containment.Playbooks;
using Containment.Tests.Notifications;
using Containment.Tests.Support;
using Microsoft.Playwright;

namespace Containment.Tests.Browser;

/// <summary>
/// The Teams card as a person sees it: the card the Teams channel posts, drawn in Chromium by Microsoft's Adaptive
/// Cards renderer with markdown-it reading Markdown, as Teams reads it in text blocks and facts. Text a detector
/// sent must show as text: a link in it would sit beside the real approval buttons.
/// </summary>
public sealed class TeamsCardBrowserTests : IDisposable
{
    private const string PhishingLink = "[Review and approve](https://attacker.example/approve)";

    private readonly LoopbackReceiver receiver = new();

    public void Dispose() => receiver.Dispose();

    [Fact]
    public async Task AlertTextWithMarkdownLinks_RendersAsText_AndTheCardHasOnlyItsOwnButtons()
    {
        var alert = TestAlerts.ReverseShell() with
        {
            Title = PhishingLink,
            Rule = "Shell spawned, see https://attacker.example/rule and **act now**",
            Target = TestAlerts.ReverseShell().Target with { Image = "registry.example.com/[api](https://attacker.example/image):1.4.2" },
        };
        var card = await PostedCardAsync(alert);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await RendererPageAsync(browser);

        // The renderer reads Markdown where Teams does: the same title in a text block and a fact becomes links.
        var markdownRead = await RenderAsync(page, new JsonObject
        {
            ["type"] = "AdaptiveCard",
            ["version"] = "1.5",
            ["body"] = new JsonArray(
                new JsonObject { ["type"] = "TextBlock", ["text"] = alert.Title },
                new JsonObject { ["type"] = "FactSet", ["facts"] = new JsonArray(new JsonObject { ["title"] = "Alert", ["value"] = alert.Title }) }),
        });
        Assert.Equal(["https://attacker.example/approve", "https://attacker.example/approve"], markdownRead.Links);

        var rendered = await RenderAsync(page, card);

        Assert.Empty(rendered.Problems);
        Assert.Empty(rendered.Links);
        Assert.Contains(PhishingLink, rendered.Text, StringComparison.Ordinal);
        Assert.Contains(alert.Rule, rendered.Text, StringComparison.Ordinal);
        Assert.Contains(alert.Target.Image, rendered.Text, StringComparison.Ordinal);
        Assert.Equal(["Review and approve", "Review and reject"], rendered.Buttons);
    }

    private async Task<JsonObject> PostedCardAsync(Containment.Alerts.Alert alert)
    {
        using var harness = new NotificationHarness(new Dictionary<string, string?>
        {
            ["Containment:Notifications:Channels:soc-teams:Type"] = "teams",
            ["Containment:Notifications:Channels:soc-teams:Url"] = receiver.Url.AbsoluteUri,
        });
        var result = await harness.SendAsync(HttpChannelTests.Request("soc-teams", NotificationTemplate.ApprovalRequested, alert));
        Assert.True(result.AllSent);
        var body = JsonNode.Parse(Assert.Single(receiver.Requests).Body)!;
        return body["attachments"]![0]!["content"]!.AsObject();
    }

    private static async Task<IPage> RendererPageAsync(IBrowser browser)
    {
        var page = await HeadlessChromium.NewPageAsync(browser);
        await page.SetContentAsync("<!DOCTYPE html><html><body></body></html>");
        foreach (var script in new[] { RepositoryRoot.Combine("node_modules", "markdown-it", "dist", "markdown-it.min.js"), RepositoryRoot.Combine("node_modules", "adaptivecards", "dist", "adaptivecards.min.js") })
        {
            Assert.True(File.Exists(script), $"{script} is missing: ./test.sh installs the npm packages");
            await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = script });
        }

        return page;
    }

    private static async Task<Rendered> RenderAsync(IPage page, JsonObject card)
    {
        var drawn = await page.EvaluateAsync<JsonElement>(
            """
            json => {
              const card = JSON.parse(json);
              const context = new AdaptiveCards.SerializationContext();
              const adaptive = new AdaptiveCards.AdaptiveCard();
              adaptive.parse(card, context);
              const problems = [];
              for (let index = 0; index < context.eventCount; index++) {
                problems.push(context.getEventAt(index).message);
              }
              const element = adaptive.render();
              document.body.replaceChildren(element);
              return {
                problems,
                links: [...element.querySelectorAll('a')].map(link => link.href),
                text: element.innerText,
                buttons: [...element.querySelectorAll('button')].map(button => button.innerText.trim()),
              };
            }
            """,
            card.ToJsonString());
        return drawn.Deserialize<Rendered>(JsonSerializerOptions.Web)!;
    }

    private sealed record Rendered(IReadOnlyList<string> Problems, IReadOnlyList<string> Links, string Text, IReadOnlyList<string> Buttons);
}
