using System.Text.Json;

namespace Containment.Alerts.Formats;

/// <summary>
/// Falco's JSON output as Falco (<c>json_output</c>) and Falcosidekick post it: <c>rule</c>, <c>priority</c>,
/// <c>time</c>, <c>output</c>, <c>output_fields</c>, and from Falcosidekick also <c>uuid</c>, <c>hostname</c>, <c>tags</c>.
/// </summary>
public sealed class FalcoAlertFormat : IAlertFormat
{
    private const string Fields = "output_fields";

    public string Name => "falco";

    public bool CanRead(JsonElement payload) =>
        Json.Has(payload, "rule") && Json.Has(payload, "priority") && (Json.Has(payload, Fields) || Json.Has(payload, "output"));

    public void Read(JsonElement payload, string pointer, AlertSink sink)
    {
        var fields = Json.TryGet(payload, Fields, out var value) && value.ValueKind == JsonValueKind.Object ? value : default;
        var fieldsPointer = JsonPointer.Append(pointer, Fields);

        var pod = Field(fields, "k8s.pod.name");
        if (pod is null)
        {
            sink.Problem(fieldsPointer, "no pod named in the alert (looked in output_fields k8s.pod.name)");
            return;
        }

        var ns = Field(fields, "k8s.ns.name");
        if (ns is null)
        {
            sink.Problem(fieldsPointer, $"no namespace for pod {AlertProblem.Quote(pod)} (looked in output_fields k8s.ns.name)");
            return;
        }

        var rule = Json.String(payload, "rule");
        var priority = Json.String(payload, "priority");
        if (!SeverityMap.TryFalco(priority, out var severity))
        {
            sink.Problem(JsonPointer.Append(pointer, "priority"), $"{AlertProblem.Quote(priority)} is not a Falco priority ({string.Join(", ", SeverityMap.FalcoPriorities.Keys)})");
            return;
        }

        var time = Json.Time(payload, "time");
        if (time is null)
        {
            sink.Problem(JsonPointer.Append(pointer, "time"), "no readable time in the alert");
            return;
        }

        var tags = Json.TryGet(payload, "tags", out var tagArray) && tagArray.ValueKind == JsonValueKind.Array
            ? tagArray.EnumerateArray().Select(Json.AsText).OfType<string>().ToList()
            : [];

        sink.Add(new Alert
        {
            Id = Json.String(payload, "uuid") ?? ContentId.Of("falco", payload),
            Source = "falco",
            Category = CategoryMap.ForFalco(rule, tags),
            Severity = severity,
            Time = time.Value,
            Title = rule ?? string.Empty,
            Description = Json.String(payload, "output"),
            Rule = rule,
            Target = new AlertTarget
            {
                Cluster = Field(fields, "k8smeta.cluster.name", "k8s.cluster.name", "cluster"),
                Namespace = ns,
                Pod = pod,
                Container = Field(fields, "container.name"),
                Image = Image(fields),
                // Falco runs as a DaemonSet, so the reporting host is the pod's node.
                Node = Json.String(payload, "hostname") ?? Field(fields, "k8s.node.name"),
            },
            Raw = payload.Clone(),
        },
        new AlertPointers(
            pointer,
            JsonPointer.Append(fieldsPointer, "k8s.ns.name"),
            JsonPointer.Append(fieldsPointer, "k8s.pod.name"),
            JsonPointer.Append(fieldsPointer, "container.name"),
            Json.Has(payload, "hostname") ? JsonPointer.Append(pointer, "hostname") : JsonPointer.Append(fieldsPointer, "k8s.node.name"))
        {
            Id = Json.Has(payload, "uuid") ? JsonPointer.Append(pointer, DefenderAlertFormat.FoundName(payload, "uuid")) : null,
        });
    }

    /// <summary>A field of <c>output_fields</c>; Falco writes <c>&lt;NA&gt;</c> (older) or null (newer) for "not available".</summary>
    private static string? Field(JsonElement fields, params ReadOnlySpan<string> names)
    {
        var value = Json.String(fields, names);
        return value is "<NA>" or "N/A" ? null : value;
    }

    private static string? Image(JsonElement fields)
    {
        var repository = Field(fields, "container.image.repository");
        var tag = Field(fields, "container.image.tag");
        return repository is null ? Field(fields, "container.image")
            : tag is null ? repository
            : $"{repository}:{tag}";
    }
}
