using System.Collections.Frozen;
using System.Text.Json.Serialization;

namespace Containment.Playbooks;

/// <summary>
/// One step of a playbook. The set of step types is closed: each is a record here, named on the wire by
/// <c>"type"</c>. A new step type is one new record (registered below) and one activity.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(IsolateStep), IsolateStep.TypeName)]
[JsonDerivedType(typeof(ReleaseStep), ReleaseStep.TypeName)]
[JsonDerivedType(typeof(ApprovalStep), ApprovalStep.TypeName)]
[JsonDerivedType(typeof(NotifyStep), NotifyStep.TypeName)]
[JsonDerivedType(typeof(WaitStep), WaitStep.TypeName)]
[JsonDerivedType(typeof(SetEventStatusStep), SetEventStatusStep.TypeName)]
[JsonDerivedType(typeof(DeletePodStep), DeletePodStep.TypeName)]
[JsonDerivedType(typeof(CordonNodeStep), CordonNodeStep.TypeName)]
[JsonDerivedType(typeof(UncordonNodeStep), UncordonNodeStep.TypeName)]
public abstract record Step
{
    /// <summary>Unique within the playbook, branches included.</summary>
    public required string Id { get; init; }

    public string? Description { get; init; }

    /// <summary>When given, the step runs only for alerts that match; otherwise it is skipped.</summary>
    public StepCondition? When { get; init; }

    /// <summary>How a failure of this step is retried before it counts as failed.</summary>
    public StepRetryPolicy? Retry { get; init; }

    /// <summary>When true a failure of this step is recorded and the run goes on; when false it fails the run (or runs <c>onFailure</c>).</summary>
    public bool ContinueOnError { get; init; }

    private static readonly FrozenDictionary<Type, string> TypeNames = typeof(Step)
        .GetCustomAttributes(typeof(JsonDerivedTypeAttribute), inherit: false)
        .Cast<JsonDerivedTypeAttribute>()
        .ToFrozenDictionary(attribute => attribute.DerivedType, attribute => (string)attribute.TypeDiscriminator!);

    /// <summary>The wire name of this step's type (<c>isolate</c>, <c>approval</c>, ...).</summary>
    [JsonIgnore]
    public string Type => TypeNames[GetType()];

    /// <summary>The branches nested in this step, by their field name; empty for steps without branches.</summary>
    [JsonIgnore]
    public IEnumerable<(string Field, IReadOnlyList<Step> Steps)> Branches => GetBranches();

    /// <summary>A step with branches lists them here (a virtual method, so serialisation never sees it).</summary>
    protected virtual IEnumerable<(string Field, IReadOnlyList<Step> Steps)> GetBranches() => [];
}
