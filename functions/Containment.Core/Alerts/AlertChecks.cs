using System.Text.Json;
using Containment.Clusters;

namespace Containment.Alerts;

/// <summary>
/// What every alert must satisfy whatever its format, before anything is stored or started: names that can exist
/// in a cluster (they become run ids, table keys and Kubernetes API paths), and a size the ledger can keep.
/// </summary>
public static class AlertChecks
{
    /// <summary>
    /// The stored security event holds the alert and its raw payload in one table row; keep room for the rest of the row.
    /// A run's state holds the alert too (without its raw payload), once however many calls a step makes (its row keeps
    /// the calls without it, <c>RunStateJson</c>), beside a rest that grows with its playbook, not the alert: the
    /// shipped playbooks' runs keep theirs under the 50,000 left (<c>RunStateJsonTests</c>).
    /// </summary>
    public const int MaxStoredCharacters = TableJson.MaxCharacters - 50_000;

    /// <summary>Where the source ends in a security event's id, <c>{source}:{id}</c> (<c>SecurityEventLedger.IdOf</c>).</summary>
    public const char SourceEnd = ':';

    public static IReadOnlyList<AlertProblem> Check(Alert alert, AlertPointers where)
    {
        var problems = new List<AlertProblem>();
        Key(nameof(Alert.Id), alert.Id, where.Id ?? where.Payload, problems);
        Key(nameof(Alert.Source), alert.Source, where.Source ?? where.Payload, problems);
        if (alert.Source?.IndexOf(SourceEnd) is >= 0 and var colon)
        {
            // Otherwise source "a:b" with id "c" and source "a" with id "b:c" would be one event, the second dropped as a redelivery.
            problems.Add(new AlertProblem(where.Source ?? where.Payload, $"the alert's source holds '{SourceEnd}' (at {colon}), which ends the source in the event's id (source:id)"));
        }

        // An alert with nothing to isolate may leave the names it lacks blank; a name it gives is checked all the same.
        var target = alert.Target;
        var blankAllowed = alert.NothingToIsolate is not null;
        if (!blankAllowed || target.Namespace.Length > 0)
        {
            Name(KubernetesNameKind.Namespace, target.Namespace, where.Namespace, problems);
        }

        if (!blankAllowed || target.Pod.Length > 0)
        {
            Name(KubernetesNameKind.Pod, target.Pod, where.Pod, problems);
        }
        if (target.Container is not null)
        {
            Name(KubernetesNameKind.Container, target.Container, where.Container, problems);
        }

        if (target.Node is not null)
        {
            Name(KubernetesNameKind.Node, target.Node, where.Node, problems);
        }

        var stored = JsonSerializer.Serialize(alert, ContainmentJson.Options).Length;
        if (stored > MaxStoredCharacters)
        {
            var (pointer, length) = alert.Raw is { } raw ? LongestString(raw, string.Empty) : (string.Empty, 0);
            problems.Add(new AlertProblem(
                where.Payload + pointer,
                $"the alert is {stored} characters as stored, at most {MaxStoredCharacters} can be kept{(length > 0 ? $"; its longest field here is {length} characters" : string.Empty)}"));
        }

        return problems;
    }

    // The event is known by source and id, in the ledger and in the API's paths: a blank one would make every such
    // alert a redelivery of the first, and a control character cannot travel in a URL (Kestrel refuses %00).
    private static void Key(string field, string? value, string pointer, List<AlertProblem> problems)
    {
        var name = field.ToLowerInvariant();
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add(new AlertProblem(pointer, $"the alert's {name} is blank"));
        }
        else if (HumanText.IndexOfControl(value) is var at and >= 0)
        {
            problems.Add(new AlertProblem(pointer, $"the alert's {name} holds a control character (U+{(int)value[at]:X4} at {at})"));
        }
    }

    private static void Name(KubernetesNameKind kind, string? name, string pointer, List<AlertProblem> problems)
    {
        if (KubernetesNames.Problem(kind, name) is { } problem)
        {
            problems.Add(new AlertProblem(pointer, problem));
        }
    }

    /// <summary>The pointer (below <paramref name="at"/>) and length of the longest string in the payload: where an oversized alert is to be cut.</summary>
    private static (string Pointer, int Length) LongestString(JsonElement element, string at)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return (at, element.GetRawText().Length - 2); // the text as sent, escapes included
            case JsonValueKind.Object:
                return element.EnumerateObject().Select(property => LongestString(property.Value, JsonPointer.Append(at, property.Name)))
                    .DefaultIfEmpty((at, 0)).MaxBy(found => found.Item2);
            case JsonValueKind.Array:
                return element.EnumerateArray().Select((item, index) => LongestString(item, JsonPointer.Append(at, index)))
                    .DefaultIfEmpty((at, 0)).MaxBy(found => found.Item2);
            default:
                return (at, 0);
        }
    }
}
