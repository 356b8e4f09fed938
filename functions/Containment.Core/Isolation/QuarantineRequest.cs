namespace Containment.Isolation;

/// <summary>
/// Quarantine one pod. <see cref="Cluster"/> is an alias or an AKS resource id;
/// <see cref="QuarantineId"/> becomes the quarantine label's value (e.g. the isolation record id);
/// <see cref="RunStartedAt"/>, when known, names the run that isolates (<see cref="RunStamp"/>).
/// </summary>
public sealed record QuarantineRequest(string Cluster, string Namespace, string Pod, string QuarantineId, DateTimeOffset? RunStartedAt = null);
