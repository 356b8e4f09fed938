using System.Text.Json.Nodes;

namespace Containment.Notifications.Channels;

/// <summary>
/// Block Kit for a Slack incoming webhook: <c>text</c> as the notification fallback, then a header, sections with
/// fields (at most ten a section, 2,000 characters each), and an actions block of URL buttons.
/// </summary>
/// <remarks>
/// Facts hold what the detector sent, and Slack makes links of text: <c>&lt;url|label&gt;</c> anywhere, and any bare
/// URL or channel name in <c>mrkdwn</c>. So every text has Slack's control characters escaped, and every
/// <c>mrkdwn</c> object is <c>verbatim</c>, which turns nothing into a link: a URL in an alert's title stays the
/// text it is, beside the real buttons.
/// </remarks>
public static class SlackBlocks
{
    private const int HeaderLimit = 150;
    private const int FieldsPerSection = 10;
    private const int FieldLimit = 2000;
    private const int SectionTextLimit = 3000;

    public static JsonObject Render(NotificationMessage message)
    {
        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = PlainText(Truncate(message.Title, HeaderLimit)) },
            new JsonObject { ["type"] = "section", ["text"] = Markdown(Truncate(Escape(message.Summary), SectionTextLimit)) },
        };
        foreach (var chunk in message.Facts.Chunk(FieldsPerSection))
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "section",
                ["fields"] = new JsonArray([.. chunk.Select(fact => (JsonNode)Markdown(Truncate($"*{Escape(fact.Label)}*\n{Escape(fact.Value)}", FieldLimit)))]),
            });
        }

        if (message.Links.Count > 0)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "actions",
                ["elements"] = new JsonArray([.. message.Links.Select((link, index) => (JsonNode)Button(link, index))]),
            });
        }

        return new JsonObject { ["text"] = Escape($"{message.Title}: {message.Summary}"), ["blocks"] = blocks };
    }

    private static JsonObject Button(NotificationLink link, int index)
    {
        var button = new JsonObject
        {
            ["type"] = "button",
            ["text"] = PlainText(link.Label),
            ["url"] = link.Url.AbsoluteUri,
            ["action_id"] = $"link-{index}",
        };
        if (link.Style != NotificationLinkStyle.Default)
        {
            button["style"] = link.Style == NotificationLinkStyle.Positive ? "primary" : "danger";
        }

        return button;
    }

    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text, ["emoji"] = false };

    private static JsonObject Markdown(string text) => new() { ["type"] = "mrkdwn", ["text"] = text, ["verbatim"] = true };

    /// <summary>Slack's control characters in text: &amp;, &lt; and &gt;.</summary>
    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Truncate(string text, int limit) => TextCut.WithEllipsis(text, limit);
}
