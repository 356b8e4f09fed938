using System.Text.Json.Nodes;

namespace Containment.Notifications.Channels;

/// <summary>
/// The generic webhook's JSON body (documented in Notifications/README.md):
/// <c>{ event, sentAt, runId, title, text, alert{...}, pod{...}, facts[{label,value}], links{approve,reject,details} }</c>.
/// </summary>
public static class WebhookPayload
{
    public static JsonObject Render(NotificationRequest request, NotificationMessage message, DateTimeOffset sentAt)
    {
        var alert = request.Alert;
        var target = alert.Target;
        return new JsonObject
        {
            ["event"] = KebabCaseEnumConverter.ToWireName(request.Template),
            ["sentAt"] = sentAt.ToUniversalTime(),
            ["runId"] = request.RunId,
            ["title"] = message.Title,
            ["text"] = message.Summary,
            ["alert"] = new JsonObject
            {
                ["id"] = alert.Id,
                ["source"] = alert.Source,
                ["title"] = alert.Title,
                ["category"] = KebabCaseEnumConverter.ToWireName(alert.Category),
                ["severity"] = KebabCaseEnumConverter.ToWireName(alert.Severity),
                ["rule"] = alert.Rule,
                ["time"] = alert.Time.ToUniversalTime(),
            },
            ["pod"] = new JsonObject
            {
                ["cluster"] = target.Cluster,
                ["clusterResourceId"] = target.ClusterResourceId,
                ["namespace"] = target.Namespace,
                ["name"] = target.Pod,
                ["container"] = target.Container,
                ["image"] = target.Image,
                ["node"] = target.Node,
            },
            ["facts"] = Facts(message),
            ["links"] = new JsonObject
            {
                ["approve"] = request.ApproveUrl?.AbsoluteUri,
                ["reject"] = request.RejectUrl?.AbsoluteUri,
                ["details"] = request.DetailsUrl?.AbsoluteUri,
            },
        };
    }

    internal static JsonArray Facts(NotificationMessage message) =>
        [.. message.Facts.Select(fact => (JsonNode)new JsonObject { ["label"] = fact.Label, ["value"] = fact.Value })];
}
