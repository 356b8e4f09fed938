namespace Containment.Isolation.Actions.Quarantine;

/// <summary>
/// When a delete of a pod's quarantine policy reads the policy first, and which it then leaves: a policy is deleted by
/// the pod's name, which the pod's next quarantine reuses, so a delete that may meet a later run's fence (tried again
/// after a try that may have deleted the policy, or made without knowing the pod's quarantine) reads the policy, and
/// sends no delete when it is gone or a later run than <see cref="RunStartedAt"/> made it.
/// </summary>
/// <param name="RunStartedAt">The start of the run that deletes; null when not known (the policy is then judged by being there alone).</param>
/// <param name="ReadFirst">Whether the first delete is guarded too, not only one tried again.</param>
internal sealed record FenceGuard(DateTimeOffset? RunStartedAt, bool ReadFirst = false)
{
    /// <summary>Whether a policy with these annotations may be deleted: no later run than the deleting one made it.</summary>
    public bool MayDelete(IDictionary<string, string>? annotations) =>
        RunStartedAt is not { } ours || RunStamp.In(annotations) is not { } madeBy || madeBy <= ours;
}
