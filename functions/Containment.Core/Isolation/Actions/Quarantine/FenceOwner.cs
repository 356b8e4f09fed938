namespace Containment.Isolation.Actions.Quarantine;

/// <summary>Whose fence a quarantine policy is: the pod's, for a quarantine id, made by the run that started at <paramref name="RunStartedAt"/> (when known).</summary>
/// <param name="RunStartedAt">Kept on the policy as its run stamp (<see cref="RunStamp"/>): a release of an earlier run leaves a fence a later run made.</param>
internal sealed record FenceOwner(string Pod, string QuarantineId, DateTimeOffset? RunStartedAt);
