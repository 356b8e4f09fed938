using System.Text.Json.Nodes;

namespace Containment.Notifications.Channels;

/// <summary>
/// The body a Teams Workflows webhook takes: a <c>message</c> with one Adaptive Card 1.5 attachment. Buttons are
/// <c>Action.OpenUrl</c> links to pages; nothing is decided from the card itself.
/// </summary>
public static class TeamsCard
{
    public const string ContentType = "application/vnd.microsoft.card.adaptive";

    public static JsonObject Render(NotificationMessage message)
    {
        var body = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "TextBlock",
                ["text"] = message.Title,
                ["size"] = "Large",
                ["weight"] = "Bolder",
                ["wrap"] = true,
                ["style"] = "heading",
                ["color"] = message.Urgent ? "Attention" : "Default",
            },
            new JsonObject { ["type"] = "TextBlock", ["text"] = message.Summary, ["wrap"] = true },
            new JsonObject
            {
                ["type"] = "FactSet",
                ["facts"] = new JsonArray([.. message.Facts.Select(fact => (JsonNode)new JsonObject { ["title"] = fact.Label, ["value"] = fact.Value })]),
            },
        };
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
}
