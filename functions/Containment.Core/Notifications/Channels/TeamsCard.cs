using System.Text.Json.Nodes;

namespace Containment.Notifications.Channels;

/// <summary>
/// The body a Teams Workflows webhook takes: a <c>message</c> with one Adaptive Card 1.5 attachment. Buttons are
/// <c>Action.OpenUrl</c> links to pages; nothing is decided from the card itself.
/// </summary>
/// <remarks>
/// Teams reads Markdown in a <c>TextBlock</c> and in a fact's title and value, and Markdown makes links: an alert's
/// title or image name written <c>[Review and approve](https://…)</c> would sit beside the real button as a link
/// of its own. So every text goes in a <c>TextRun</c>, which shows it as it is: the title and summary name the pod,
/// facts hold what the detector sent, and a drift fact's label names a pod.
/// </remarks>
public static class TeamsCard
{
    public const string ContentType = "application/vnd.microsoft.card.adaptive";

    /// <summary>The largest message a Teams webhook takes (28 KB; a larger one is refused): what a card must stay under.</summary>
    public const int MaxMessageBytes = 28 * 1024;

    public static JsonObject Render(NotificationMessage message)
    {
        var body = new JsonArray
        {
            Literal(message.Title, run =>
            {
                run["size"] = "Large";
                run["weight"] = "Bolder";
                run["color"] = message.Urgent ? "Attention" : "Default";
            }),
            Literal(message.Summary),
        };
        foreach (var fact in message.Facts)
        {
            body.Add(FactRow(fact));
        }

        var actions = new JsonArray([.. message.Links.Select(link => (JsonNode)new JsonObject
        {
            ["type"] = "Action.OpenUrl",
            ["title"] = link.Label,
            ["url"] = link.Url.AbsoluteUri,
            ["style"] = link.Style switch
            {
                NotificationLinkStyle.Positive => "positive",
                NotificationLinkStyle.Destructive => "destructive",
                _ => "default",
            },
        })]);

        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.5",
            ["body"] = body,
            ["actions"] = actions,
            ["msteams"] = new JsonObject { ["width"] = "Full" },
        };
        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray(new JsonObject { ["contentType"] = ContentType, ["contentUrl"] = null, ["content"] = card }),
        };
    }

    /// <summary>A label and its value side by side, as a fact set lays them out.</summary>
    private static JsonObject FactRow(NotificationFact fact) => new()
    {
        ["type"] = "ColumnSet",
        ["spacing"] = "None",
        ["columns"] = new JsonArray(
            new JsonObject
            {
                ["type"] = "Column",
                ["width"] = 1,
                ["items"] = new JsonArray(Literal(fact.Label, run => run["weight"] = "Bolder")),
            },
            new JsonObject
            {
                ["type"] = "Column",
                ["width"] = 3,
                ["items"] = new JsonArray(Literal(fact.Value)),
            }),
    };

    /// <summary>A <c>RichTextBlock</c> of one <c>TextRun</c>: Markdown is not read in it.</summary>
    private static JsonObject Literal(string text, Action<JsonObject>? style = null)
    {
        var run = new JsonObject { ["type"] = "TextRun", ["text"] = text };
        style?.Invoke(run);
        return new JsonObject { ["type"] = "RichTextBlock", ["inlines"] = new JsonArray(run) };
    }
}
