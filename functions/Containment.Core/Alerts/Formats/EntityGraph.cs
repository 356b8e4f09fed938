using System.Text.Json;

namespace Containment.Alerts.Formats;

/// <summary>
/// The entities of a Defender alert or a Sentinel incident, with <c>$id</c>/<c>$ref</c> links resolved:
/// pod → namespace → cluster → azure-resource, container → container-image. Links may also be inline objects.
/// </summary>
internal sealed class EntityGraph
{
    private const string IdName = "$id";
    private const string RefName = "$ref";

    private readonly Dictionary<string, Entity> byId = new(StringComparer.Ordinal);
    private readonly List<Entity> entities = [];
    private readonly List<AlertProblem> problems = [];

    private EntityGraph()
    {
    }

    public IReadOnlyList<AlertProblem> Problems => problems;

    public IEnumerable<Entity> OfKind(EntityKind kind) => entities.Where(entity => entity.Kind == kind);

    /// <summary>Indexes every entity in <paramref name="array"/> (nested ones included) and checks every <c>$ref</c>.</summary>
    public static EntityGraph Build(JsonElement? array, string pointer)
    {
        var graph = new EntityGraph();
        if (array is not { ValueKind: JsonValueKind.Array } items)
        {
            return graph;
        }

        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            graph.Index(item, JsonPointer.Append(pointer, index++), topLevel: true);
        }

        graph.CheckReferences(items, pointer);
        return graph;
    }

    /// <summary>The entity a link names: a <c>{"$ref": ...}</c>, an inline entity, or nothing.</summary>
    public Entity? Follow(JsonElement from, params ReadOnlySpan<string> names)
    {
        return Json.TryGetAny(from, out var link, out _, names) ? Resolve(link) : null;
    }

    /// <summary>The entity <paramref name="link"/> stands for: a <c>{"$ref": ...}</c> or an inline entity.</summary>
    public Entity? Resolve(JsonElement link)
    {
        if (link.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (Json.String(link, RefName) is { } reference)
        {
            return byId.GetValueOrDefault(reference);
        }

        return Wrap(link, string.Empty);
    }

    private void Index(JsonElement element, string pointer, bool topLevel)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in element.EnumerateArray())
            {
                Index(item, JsonPointer.Append(pointer, i++), topLevel: false);
            }

            return;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        // Defender declares an entity where it first appears, possibly nested inside another; later uses are $refs.
        if (Json.String(element, IdName) is { } id)
        {
            var entity = Wrap(element, pointer);
            entities.Add(entity);
            byId.TryAdd(id, entity);
        }
        else if (topLevel)
        {
            entities.Add(Wrap(element, pointer));
        }

        foreach (var property in element.EnumerateObject())
        {
            Index(property.Value, JsonPointer.Append(pointer, property.Name), topLevel: false);
        }
    }

    private void CheckReferences(JsonElement element, string pointer)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in element.EnumerateArray())
            {
                CheckReferences(item, JsonPointer.Append(pointer, i++));
            }
        }
        else if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                var at = JsonPointer.Append(pointer, property.Name);
                if (property.Name == RefName && property.Value.ValueKind == JsonValueKind.String
                    && !byId.ContainsKey(property.Value.GetString()!))
                {
                    problems.Add(new AlertProblem(at, $"entity $ref {AlertProblem.Quote(property.Value.GetString())} points at no entity"));
                }

                CheckReferences(property.Value, at);
            }
        }
    }

    private static Entity Wrap(JsonElement element, string pointer)
    {
        // Sentinel entities carry kind outside and fields inside "properties"; Defender's are flat with "Type".
        var fields = Json.TryGet(element, "properties", out var properties) && properties.ValueKind == JsonValueKind.Object
            ? properties
            : element;
        var kind = Entity.KindOf(Json.String(element, "kind", "type") ?? Json.String(fields, "type", "kind"));
        return new Entity(kind, fields, pointer);
    }
}
