using System.Text.Json;
using System.Text.Json.Nodes;

namespace Containment.Notifications.Channels;

/// <summary>
/// The generic webhook's JSON body for the drift watch (documented in Notifications/README.md):
/// <c>{ event: "drift-found" | "drift-cleared", sentAt, checkedAt, title, text, standing, findings[...], uncheckedClusters[...], clustersShortOfAccess[...], cleared[...], facts[{label,value}] }</c>,
/// each finding and cluster as <c>GET /api/drift</c> answers it.
/// </summary>
public static class DriftWebhookPayload
{
    public static JsonObject Render(DriftNotice notice, NotificationMessage message, DateTimeOffset sentAt) => new()
    {
        ["event"] = notice.Event,
        ["sentAt"] = sentAt.ToUniversalTime(),
        ["checkedAt"] = notice.CheckedAt.ToUniversalTime(),
        ["title"] = message.Title,
        ["text"] = message.Summary,
        ["standing"] = notice.Standing,
        ["findings"] = JsonSerializer.SerializeToNode(notice.Findings, ContainmentJson.Options),
        ["uncheckedClusters"] = JsonSerializer.SerializeToNode(notice.UncheckedClusters, ContainmentJson.Options),
        ["clustersShortOfAccess"] = JsonSerializer.SerializeToNode(notice.ShortOfAccess, ContainmentJson.Options),
        ["cleared"] = JsonSerializer.SerializeToNode(notice.Cleared, ContainmentJson.Options),
        ["facts"] = WebhookPayload.Facts(message),
    };
}
