using System.Text.Json.Nodes;
using Containment.Isolation;
using Containment.Playbooks.Validation;

namespace Containment.Playbooks.Reference;

/// <summary>
/// Every step type a playbook may use, read from the shipped schema (<see cref="PlaybookSchema.Text"/>) so that what is
/// described is what is checked, with the declarations of the actions that carry out the steps acting on a cluster.
/// </summary>
public static class StepReference
{
    private const string DefinitionPrefix = "#/definitions/";

    private static readonly JsonObject Definitions = (JsonNode.Parse(PlaybookSchema.Text)!["definitions"] as JsonObject)
        ?? throw new InvalidDataException("the playbook schema has no definitions");

    private static readonly IReadOnlyList<JsonObject> StepSchemas =
        [.. Definitions["step"]!["oneOf"]!.AsArray().Select(choice => Resolve(choice!.AsObject()))];

    /// <summary>The fields every step takes (<c>id</c>, <c>when</c>, ...), in the schema's order; <c>type</c> names the step.</summary>
    public static IReadOnlyList<StepField> Common { get; } = FieldsOf(StepSchemas[0], field => StepSchemas.All(step => Properties(step).ContainsKey(field)));

    /// <summary>One per step type, in the schema's order.</summary>
    public static IReadOnlyList<StepDescription> All { get; } =
    [
        .. StepSchemas.Select(step => new StepDescription(
            TypeOf(step),
            (string?)step["description"] ?? "",
            FieldsOf(step, field => Common.All(common => common.Name != field)),
            ContainmentActions.For(TypeOf(step)))),
    ];

    /// <summary>The step type named <paramref name="type"/> (as a playbook names it, case and all); null for none.</summary>
    public static StepDescription? For(string type) => All.FirstOrDefault(step => string.Equals(step.Type, type, StringComparison.Ordinal));

    private static IReadOnlyList<StepField> FieldsOf(JsonObject step, Func<string, bool> taken)
    {
        var required = step["required"]?.AsArray().Select(name => (string?)name).ToHashSet() ?? [];
        return
        [
            .. Properties(step)
                .Where(property => property.Key != "type" && taken(property.Key))
                .Select(property => Field(property.Key, property.Value!.AsObject(), required.Contains(property.Key))),
        ];
    }

    private static StepField Field(string name, JsonObject schema, bool required)
    {
        var definition = DefinitionName(schema);
        var named = definition is null ? null : Definitions[definition]!.AsObject();
        return new StepField(
            name,
            definition ?? KindOf(schema),
            required,
            [.. schema["enum"]?.AsArray().Select(value => (string)value!) ?? []],
            (string?)schema["description"] ?? (string?)named?["description"]);
    }

    private static string KindOf(JsonObject schema) =>
        (string?)schema["type"] is "array" && schema["items"] is JsonObject items ? $"list of {KindOf(items)}" : (string?)schema["type"] ?? "any";

    private static JsonObject Properties(JsonObject step) => step["properties"]!.AsObject();

    private static string TypeOf(JsonObject step) => (string)Properties(step)["type"]!["enum"]![0]!;

    private static JsonObject Resolve(JsonObject schema) => Definitions[DefinitionName(schema)!]!.AsObject();

    /// <summary>The name of the definition <paramref name="schema"/> refers to; null for a schema of its own.</summary>
    private static string? DefinitionName(JsonObject schema) => ((string?)schema["$ref"])?[DefinitionPrefix.Length..];
}
