namespace Containment.Isolation.Actions.Quarantine;

/// <summary>Whose fence a quarantine policy is: the pod's, for a quarantine id, made by the run that started at <paramref name="RunStartedAt"/> (when known).</summary>
/// <param name="RunStartedAt">Kept on the policy as its run stamp (<see cref="RunStamp"/>): a release of an earlier run leaves a fence a later run made or took up.</param>
internal sealed record FenceOwner(string Pod, string QuarantineId, DateTimeOffset? RunStartedAt)
{
    /// <summary>
    /// Whether a policy with these annotations is to be stamped with this owner's run before the pod is relabelled for it:
    /// it names no run, or an earlier one, whose release would otherwise delete it from under this run.
    /// </summary>
    public bool StampsLaterThan(IDictionary<string, string>? annotations) =>
        RunStartedAt is { } ours && (RunStamp.In(annotations) is not { } madeBy || madeBy < ours);
}
