using System.Text.Json;

namespace Containment.Alerts.Formats;

/// <summary>
/// A Microsoft Sentinel incident as the Logic App incident trigger delivers it (<c>object.properties</c> with
/// <c>alerts</c> and <c>relatedEntities</c>), or the incident resource itself. One alert per pod it names;
/// each takes the incident's title and id, the highest severity of incident and alerts, and the most urgent
/// category of its alerts (<see cref="CategoryMap.IncidentPrecedence"/>): an incident does not link its
/// entities to single alerts.
/// </summary>
public sealed class SentinelIncidentFormat : IAlertFormat
{
    public string Name => "sentinel-incident";

    public bool CanRead(JsonElement payload)
    {
        var incident = Incident(payload, out _);
        return incident.ValueKind == JsonValueKind.Object && Json.Has(incident, "incidentNumber");
    }

    public void Read(JsonElement payload, string pointer, AlertSink sink)
    {
        var incident = Incident(payload, out var at);
        at = pointer + at;

        // An incident says what it is about in relatedEntities: one that lists none, or none readable, is not known to name no pod.
        var entities = Json.Structured(incident, "relatedEntities", out var entitiesError);
        if (entitiesError is not null || entities is not { ValueKind: JsonValueKind.Array })
        {
            sink.Problem(JsonPointer.Append(at, "relatedEntities"), entitiesError ?? "no pod named in the incident: it has no relatedEntities (send the incident with its entities)");
            return;
        }

        var graph = EntityGraph.Build(entities, JsonPointer.Append(at, "relatedEntities"));
        if (graph.Problems.Count > 0)
        {
            sink.AddProblems(graph.Problems);
            return;
        }

        var pods = graph.OfKind(EntityKind.Pod).ToList();
        var alerts = Alerts(incident).ToList();
        var severity = alerts.Select(a => a.Severity).Append(Severity(incident)).Max();
        var lead = alerts.OrderBy(a => Precedence(a.Category)).ThenByDescending(a => a.Severity).FirstOrDefault();
        var time = Json.Time(incident, "firstActivityTimeUtc", "createdTimeUtc", "lastActivityTimeUtc");
        if (time is null)
        {
            sink.Problem(at, "no readable time in the incident (looked in firstActivityTimeUtc, createdTimeUtc)");
            return;
        }

        var incidentId = Json.String(Envelope(payload), "name") ?? Json.String(incident, "incidentNumber")!;
        var title = Json.String(incident, "title") ?? string.Empty;
        var clusters = NamedCluster.AllIn(graph);
        var incidentAlert = new Alert
        {
            Id = incidentId,
            Source = "sentinel",
            Category = lead.AlertType is null ? AlertCategory.Other : lead.Category,
            Severity = severity,
            Time = time.Value,
            Title = title,
            Description = Json.String(incident, "description"),
            Rule = lead.AlertType,
            Target = new AlertTarget { Namespace = string.Empty, Pod = string.Empty },
            Raw = payload.Clone(),
        };
        if (pods.Count == 0)
        {
            // An incident about hosts, accounts or a cluster as a whole: kept, with nothing to isolate.
            sink.Add(incidentAlert with { NothingToIsolate = "the incident names no pod (looked in relatedEntities); only pods are isolated" }, AlertPointers.At(pointer, at));
            return;
        }

        foreach (var pod in pods)
        {
            var target = EntityTargets.For(graph, pod, clusters, out var problem);
            if (target is null)
            {
                sink.Problem(pod.Pointer, problem!);
                continue;
            }

            sink.Add(incidentAlert with { Id = PodAlertId.Of(incidentId, target, clusters), Target = target }, AlertPointers.At(pointer, pod.Pointer));
        }
    }

    private static IEnumerable<(string? AlertType, Severity Severity, AlertCategory Category)> Alerts(JsonElement incident)
    {
        if (!Json.TryGet(incident, "alerts", out var alerts) || alerts.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var alert in alerts.EnumerateArray())
        {
            var fields = Json.TryGet(alert, "properties", out var properties) ? properties : alert;
            var alertType = Json.String(fields, "alertType");
            yield return (alertType, Severity(fields),
                CategoryMap.ForDefender(alertType, Json.String(fields, "alertDisplayName", "friendlyName"), Tactics(fields)));
        }
    }

    private static int Precedence(AlertCategory category)
    {
        var index = CategoryMap.IncidentPrecedence.ToList().IndexOf(category);
        return index < 0 ? int.MaxValue : index;
    }

    private static string? Tactics(JsonElement fields) =>
        Json.TryGet(fields, "tactics", out var tactics) && tactics.ValueKind == JsonValueKind.Array
            ? string.Join(',', tactics.EnumerateArray().Select(Json.AsText))
            : Json.String(fields, "intent", "tactics");

    private static Severity Severity(JsonElement fields) =>
        SeverityMap.TryMicrosoft(Json.String(fields, "severity"), out var severity) ? severity : Containment.Alerts.Severity.Informational;

    private static JsonElement Envelope(JsonElement payload) =>
        Json.TryGet(payload, "object", out var inner) && inner.ValueKind == JsonValueKind.Object ? inner : payload;

    /// <summary>The incident's properties, and their pointer relative to the payload.</summary>
    private static JsonElement Incident(JsonElement payload, out string at)
    {
        at = string.Empty;
        var envelope = payload;
        if (Json.TryGet(payload, "object", out var inner) && inner.ValueKind == JsonValueKind.Object)
        {
            envelope = inner;
            at = "/" + DefenderAlertFormat.FoundName(payload, "object");
        }

        if (Json.TryGet(envelope, "properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            at += "/" + DefenderAlertFormat.FoundName(envelope, "properties");
            return properties;
        }

        return envelope;
    }
}
