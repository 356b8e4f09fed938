using System.Text;
using System.Text.Json.Nodes;
using Containment.Notifications.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Containment.Notifications;

/// <summary>Renders the template once, then sends it to every named channel in parallel, each with its own retries.</summary>
public sealed class NotificationSender(
    IOptions<NotificationOptions> options,
    WebhookPoster poster,
    SmtpMailer mailer,
    TimeProvider timeProvider,
    ILogger<NotificationSender> logger) : INotificationSender
{
    public Task<NotificationResult> SendAsync(NotificationRequest request, CancellationToken cancellationToken)
    {
        var message = NotificationTemplates.Render(request);
        return SendAsync(request.Channels, message, request.RunId, sentAt => WebhookPayload.Render(request, message, sentAt), cancellationToken);
    }

    public Task<NotificationResult> SendAsync(DriftNotice notice, CancellationToken cancellationToken)
    {
        var message = DriftNoticeTemplate.Render(notice);
        return SendAsync(notice.Channels, message, runId: null, sentAt => DriftWebhookPayload.Render(notice, message, sentAt), cancellationToken);
    }

    private async Task<NotificationResult> SendAsync(IReadOnlyList<string> channels, NotificationMessage message, string? runId, Func<DateTimeOffset, JsonObject> webhookBody, CancellationToken cancellationToken)
    {
        var sends = channels.Distinct(StringComparer.OrdinalIgnoreCase).Select(name => SendToAsync(name, message, runId, webhookBody, cancellationToken));
        return new NotificationResult(await Task.WhenAll(sends));
    }

    private Task<ChannelResult> SendToAsync(string name, NotificationMessage message, string? runId, Func<DateTimeOffset, JsonObject> webhookBody, CancellationToken cancellationToken)
    {
        if (!options.Value.Channels.TryGetValue(name, out var channel))
        {
            logger.LogWarning("Notification channel {Channel} is not configured", name);
            return Task.FromResult(ChannelResult.Failed(name, 0, "the channel is not configured"));
        }

        logger.LogInformation("Sending {Event} for run {RunId} to channel {Channel}", message.Event, runId, channel.Name);
        return channel switch
        {
            TeamsChannelOptions teams => poster.PostAsync(channel.Name, teams.Url!, Utf8(TeamsCard.Render(message)), NoHeaders, cancellationToken),
            SlackChannelOptions slack => poster.PostAsync(channel.Name, slack.Url!, Utf8(SlackBlocks.Render(message)), NoHeaders, cancellationToken),
            WebhookChannelOptions webhook => PostWebhookAsync(webhook, webhookBody, cancellationToken),
            EmailChannelOptions email => mailer.SendAsync(email, EmailContent.Build(email, message), cancellationToken),
            _ => Task.FromResult(ChannelResult.Failed(channel.Name, 0, $"channel type {channel.Type} has no sender")),
        };
    }

    private Task<ChannelResult> PostWebhookAsync(WebhookChannelOptions webhook, Func<DateTimeOffset, JsonObject> webhookBody, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var body = Utf8(webhookBody(now));
        var headers = new Dictionary<string, string>();
        if (!string.IsNullOrEmpty(webhook.Secret))
        {
            var timestamp = WebhookSignature.Timestamp(now);
            headers[WebhookSignature.TimestampHeader] = timestamp;
            headers[WebhookSignature.SignatureHeader] = WebhookSignature.Sign(webhook.Secret, timestamp, body);
        }

        return poster.PostAsync(webhook.Name, webhook.Url!, body, headers, cancellationToken);
    }

    private static readonly Dictionary<string, string> NoHeaders = [];

    private static byte[] Utf8(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString(ContainmentJson.Options));
}
