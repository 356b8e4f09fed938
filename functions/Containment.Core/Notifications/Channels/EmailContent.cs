using System.Text;
using System.Text.Encodings.Web;
using MimeKit;

namespace Containment.Notifications.Channels;

/// <summary>The email for a message: multipart/alternative with a text part and an HTML part; every value HTML-encoded.</summary>
public static class EmailContent
{
    public const string SubjectPrefix = "[Containment] ";

    public static MimeMessage Build(EmailChannelOptions channel, NotificationMessage message)
    {
        var mail = new MimeMessage();
        mail.From.Add(MailboxAddress.Parse(channel.From));
        foreach (var to in channel.To)
        {
            mail.To.Add(MailboxAddress.Parse(to));
        }

        mail.Subject = SubjectPrefix + message.Title;
        if (message.Urgent)
        {
            mail.Importance = MessageImportance.High;
        }

        var body = new BodyBuilder { TextBody = Text(message), HtmlBody = Html(message) };
        mail.Body = body.ToMessageBody();
        return mail;
    }

    public static string Text(NotificationMessage message)
    {
        var text = new StringBuilder();
        text.Append(message.Title).Append("\n\n").Append(message.Summary).Append("\n\n");
        foreach (var fact in message.Facts)
        {
            text.Append(fact.Label).Append(": ").Append(fact.Value).Append('\n');
        }

        foreach (var link in message.Links)
        {
            text.Append('\n').Append(link.Label).Append(": ").Append(link.Url.AbsoluteUri).Append('\n');
        }

        return text.ToString();
    }

    public static string Html(NotificationMessage message)
    {
        var e = HtmlEncoder.Default;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").Append(e.Encode(message.Title)).Append("</title></head>")
            .Append("<body style=\"font-family:Segoe UI,Helvetica,Arial,sans-serif;color:#1b1b1b\">")
            .Append("<h2 style=\"margin:0 0 8px\">").Append(e.Encode(message.Title)).Append("</h2>")
            .Append("<p>").Append(e.Encode(message.Summary)).Append("</p>")
            .Append("<table style=\"border-collapse:collapse\">");
        foreach (var fact in message.Facts)
        {
            html.Append("<tr><th style=\"text-align:left;padding:2px 12px 2px 0;vertical-align:top\">").Append(e.Encode(fact.Label))
                .Append("</th><td style=\"padding:2px 0\">").Append(e.Encode(fact.Value)).Append("</td></tr>");
        }

        html.Append("</table>");
        if (message.Links.Count > 0)
        {
            html.Append("<p>");
            foreach (var link in message.Links)
            {
                html.Append("<a href=\"").Append(e.Encode(link.Url.AbsoluteUri)).Append("\" style=\"display:inline-block;margin:8px 8px 0 0;padding:8px 14px;border-radius:4px;text-decoration:none;color:#fff;background:")
                    .Append(link.Style switch { NotificationLinkStyle.Positive => "#107c10", NotificationLinkStyle.Destructive => "#a4262c", _ => "#0f6cbd" })
                    .Append("\">").Append(e.Encode(link.Label)).Append("</a>");
            }

            html.Append("</p><p style=\"color:#605e5c;font-size:12px\">Opening a link shows the request; nothing is decided until you confirm on that page.</p>");
        }

        return html.Append("</body></html>").ToString();
    }
}
