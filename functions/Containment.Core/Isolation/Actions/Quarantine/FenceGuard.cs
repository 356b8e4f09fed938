namespace Containment.Isolation.Actions.Quarantine;

/// <summary>
/// Which quarantine policy a delete leaves: one a later run than <see cref="RunStartedAt"/> made or took up. A run stamps
/// the fence it takes up before it relabels the pod, so a release of an earlier run never deletes a fence a later run
/// relies on.
/// </summary>
/// <param name="RunStartedAt">The start of the run that deletes; null when not known (the policy is then judged by being there alone).</param>
internal sealed record FenceGuard(DateTimeOffset? RunStartedAt)
{
    /// <summary>Whether a policy with these annotations may be deleted: no later run than the deleting one stamped it.</summary>
    public bool MayDelete(IDictionary<string, string>? annotations) =>
        RunStartedAt is not { } ours || RunStamp.In(annotations) is not { } madeBy || madeBy <= ours;
}
