using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;

namespace Containment.Alerts.Formats;

/// <summary>
/// Falco's JSON output as Falco (<c>json_output</c>) and Falcosidekick post it: <c>rule</c>, <c>priority</c>,
/// <c>time</c>, <c>output</c>, <c>output_fields</c>, and from Falcosidekick also <c>uuid</c>, <c>hostname</c>, <c>tags</c>.
/// A syscall event names its pod in <c>k8s.*</c> fields; an event of the k8saudit plugin in <c>ka.target.*</c> ones.
/// </summary>
public sealed class FalcoAlertFormat : IAlertFormat
{
    private const string Fields = "output_fields";
    private const string AuditSource = "k8s_audit";

    /// <summary>
    /// The k8saudit plugin's rules whose condition holds only for pods (its <c>pod</c> and <c>pod_subresource</c>
    /// macros test <c>ka.target.resource=pods</c>, k8s_audit_rules.yaml): their events are about a pod even when
    /// the output leaves <c>ka.target.resource</c> out, as older versions of the rules did.
    /// </summary>
    private static readonly FrozenSet<string> AuditPodRules = new[]
    {
        "Create Disallowed Pod", "Create Privileged Pod", "Create Sensitive Mount Pod", "Create HostNetwork Pod",
        "Create HostPid Pod", "Create HostIPC Pod", "Attach/Exec Pod", "EphemeralContainers Created",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public string Name => "falco";

    public bool CanRead(JsonElement payload) =>
        Json.Has(payload, "rule") && Json.Has(payload, "priority") && (Json.Has(payload, Fields) || Json.Has(payload, "output"));

    public void Read(JsonElement payload, string pointer, AlertSink sink)
    {
        var fields = Json.TryGet(payload, Fields, out var value) && value.ValueKind == JsonValueKind.Object ? value : default;
        var fieldsPointer = JsonPointer.Append(pointer, Fields);
        var rule = Json.String(payload, "rule");
        var refusal = Refusal(fields);
        var read = Field(fields, "k8s.pod.name") is null && IsAudit(payload, fields)
            ? AuditTarget(pointer, rule, fields, fieldsPointer, refusal, sink)
            : SyscallTarget(payload, pointer, fields, fieldsPointer, sink);
        if (read is not var (target, where, noPod))
        {
            return;
        }

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
            Target = target with { Cluster = Field(fields, "k8smeta.cluster.name", "k8s.cluster.name", "cluster") },
            NothingToIsolate = refusal ?? noPod,
            Raw = payload.Clone(),
        },
        where with
        {
            Id = Json.Has(payload, "uuid") ? JsonPointer.Append(pointer, DefenderAlertFormat.FoundName(payload, "uuid")) : null,
        });
    }

    /// <summary>
    /// The pod a syscall event happened in, from the container's Kubernetes metadata; or, for an event on the host
    /// (<c>container.id=host</c>, or none), why it names none. An event in a container whose pod Falco could not name
    /// (no access to the container runtime's metadata, say) is a problem: it may be a pod's, and someone must look.
    /// </summary>
    private static TargetRead? SyscallTarget(JsonElement payload, string pointer, JsonElement fields, string fieldsPointer, AlertSink sink)
    {
        // Falco runs as a DaemonSet, so the reporting host is the pod's node (or the host the event happened on).
        var node = Json.String(payload, "hostname") ?? Field(fields, "k8s.node.name");
        var nodePointer = Json.Has(payload, "hostname") ? JsonPointer.Append(pointer, "hostname") : JsonPointer.Append(fieldsPointer, "k8s.node.name");
        var pod = Field(fields, "k8s.pod.name");
        var ns = Field(fields, "k8s.ns.name");
        var where = new AlertPointers(
            pointer,
            JsonPointer.Append(fieldsPointer, "k8s.ns.name"),
            JsonPointer.Append(fieldsPointer, "k8s.pod.name"),
            JsonPointer.Append(fieldsPointer, "container.name"),
            nodePointer);
        var container = Field(fields, "container.id");
        if (pod is null && container is null or "host")
        {
            return new(new AlertTarget { Namespace = string.Empty, Pod = string.Empty, Node = node }, where,
                "the alert names no pod: an event on the host (output_fields has no k8s.pod.name, and container.id is host or absent); only pods are isolated");
        }

        if (pod is null)
        {
            sink.Problem(fieldsPointer, $"no pod named in the alert for container {AlertProblem.Quote(container)} (looked in output_fields k8s.pod.name): Falco could not read its Kubernetes metadata");
            return null;
        }

        if (ns is null)
        {
            sink.Problem(fieldsPointer, $"no namespace for pod {AlertProblem.Quote(pod)} (looked in output_fields k8s.ns.name)");
            return null;
        }

        var target = new AlertTarget
        {
            Namespace = ns,
            Pod = pod,
            Container = Field(fields, "container.name"),
            Image = Image(fields),
            Node = node,
        };
        return new(target, where, null);
    }

    /// <summary>
    /// An event of the k8saudit plugin (source <c>k8s_audit</c>, <c>ka.*</c> fields): its object is the API request's,
    /// and only one that is a pod can be isolated.
    /// </summary>
    private static bool IsAudit(JsonElement payload, JsonElement fields) =>
        string.Equals(Json.String(payload, "source"), AuditSource, StringComparison.OrdinalIgnoreCase)
        || (fields.ValueKind == JsonValueKind.Object && fields.EnumerateObject().Any(field => field.Name.StartsWith("ka.", StringComparison.OrdinalIgnoreCase)));

    /// <summary>
    /// The pod a k8saudit event is about: <c>ka.target.namespace</c>, and <c>ka.target.name</c> or, for a create whose
    /// name the API server generated, <c>ka.resp.name</c> (the plugin's Create ... Pod rules print only that one). No container,
    /// and no node: the event names the whole pod, and the Falco that read the audit log runs on any node.
    /// </summary>
    /// <param name="refusal">The API server's refusal of the request, when the output says (<see cref="Refusal"/>).</param>
    private static TargetRead? AuditTarget(string pointer, string? rule, JsonElement fields, string fieldsPointer, string? refusal, AlertSink sink)
    {
        var resource = Field(fields, "ka.target.resource") ?? (AuditPodRules.Contains(rule?.Trim() ?? string.Empty) ? "pods" : null);
        var targetName = Field(fields, "ka.target.name");
        var podField = targetName is null ? "ka.resp.name" : "ka.target.name";
        var name = targetName ?? Field(fields, podField);
        var ns = Field(fields, "ka.target.namespace");
        var where = new AlertPointers(
            pointer,
            JsonPointer.Append(fieldsPointer, "ka.target.namespace"),
            JsonPointer.Append(fieldsPointer, podField),
            fieldsPointer,
            fieldsPointer);
        if (!string.Equals(resource, "pods", StringComparison.Ordinal))
        {
            return new(new AlertTarget { Namespace = ns ?? string.Empty, Pod = string.Empty }, where, resource is null
                ? "the alert names no pod: output_fields has no ka.target.resource, and the rule is not one of the k8saudit plugin's pod rules (add %ka.target.resource to its output)"
                : $"the k8s_audit event is about {resource}{(name is null ? string.Empty : $" {AlertProblem.Quote(name)}")}, not a pod (ka.target.resource); only pods are isolated");
        }

        if (name is null)
        {
            // A create the API server refused has no name in its answer: the refusal is why there is nothing to isolate.
            if (refusal is not null)
            {
                return new(new AlertTarget { Namespace = ns ?? string.Empty, Pod = string.Empty }, where, refusal);
            }

            sink.Problem(fieldsPointer, "no pod named in the alert (looked in output_fields ka.target.name, ka.resp.name)");
            return null;
        }

        if (ns is null)
        {
            sink.Problem(fieldsPointer, $"no namespace for pod {AlertProblem.Quote(name)} (looked in output_fields ka.target.namespace)");
            return null;
        }

        return new(new AlertTarget { Namespace = ns, Pod = name, Image = OnlyImage(fields) }, where, null);
    }

    /// <param name="NoPod">Why the event names no pod to isolate; null when it does.</param>
    private sealed record TargetRead(AlertTarget Target, AlertPointers Where, string? NoPod);

    /// <summary>
    /// The API server's refusal of a k8saudit event's request, when the rule's output prints <c>ka.response.code</c>: a 4xx
    /// or 5xx. The plugin's rules match the request, not its outcome, so a create that was refused names a pod that never
    /// existed. Any other code is no refusal: an exec or attach that went through answers 101 Switching Protocols, and a
    /// code that is not a number is acted on rather than dropped.
    /// </summary>
    private static string? Refusal(JsonElement fields)
    {
        if (!int.TryParse(Field(fields, "ka.response.code"), NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status is < 400 or > 599)
        {
            return null;
        }

        var reason = Field(fields, "ka.response.reason");
        return $"the API server refused the request ({status}{(reason is null ? string.Empty : " " + AlertProblem.Quote(reason))}), so it changed nothing";
    }

    /// <summary>A field of <c>output_fields</c>; Falco writes <c>&lt;NA&gt;</c> (older) or null (newer) for "not available".</summary>
    private static string? Field(JsonElement fields, params ReadOnlySpan<string> names)
    {
        var value = Json.String(fields, names);
        return NotAvailable(value) ? null : value;
    }

    private static bool NotAvailable(string? value) => value is "<NA>" or "N/A";

    /// <summary>
    /// The pod's image when its request names one: <c>ka.req.pod.containers.image</c> is a list, an array in
    /// Falco's typed JSON output and <c>(a,b)</c> in its text form.
    /// </summary>
    private static string? OnlyImage(JsonElement fields)
    {
        if (!Json.TryGet(fields, "ka.req.pod.containers.image", out var images))
        {
            return null;
        }

        var all = images.ValueKind == JsonValueKind.Array
            ? [.. images.EnumerateArray().Select(Json.AsText).OfType<string>()]
            : Json.AsText(images)?.Trim('(', ')').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        return all is [var only] && !NotAvailable(only) ? only : null;
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
