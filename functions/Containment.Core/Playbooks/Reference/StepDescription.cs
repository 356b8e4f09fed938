using Containment.Isolation;

namespace Containment.Playbooks.Reference;

/// <summary>One field a step takes, as the playbook schema describes it.</summary>
/// <param name="Kind">What the value is: a JSON type (<c>list of string</c>), or the schema's name for it (<c>duration</c>).</param>
/// <param name="Values">The values it takes, when the schema names them; empty: any of its kind.</param>
public sealed record StepField(string Name, string Kind, bool Required, IReadOnlyList<string> Values, string? Description = null);

/// <summary>
/// What a playbook's author can write for one step type: what it does and its own fields, from the schema; for a step
/// that acts on a cluster, what its action makes sure of there and the permissions it needs.
/// </summary>
public sealed record StepDescription(string Type, string Description, IReadOnlyList<StepField> Fields, ContainmentActionDeclaration? Action = null);
