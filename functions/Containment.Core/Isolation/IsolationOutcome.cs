namespace Containment.Isolation;

/// <summary>What a quarantine did, for the run's record.</summary>
public sealed record IsolationOutcome
{
    public required IsolationStatus Status { get; init; }

    public required string Cluster { get; init; }

    public required string Namespace { get; init; }

    public required string Pod { get; init; }

    public PreflightFailure? Refusal { get; init; }

    /// <summary>The label value selecting the pod (<c>containment.io/quarantine</c>).</summary>
    public string? QuarantineId { get; init; }

    public string? NetworkPolicyName { get; init; }

    /// <summary>Null when no CiliumNetworkPolicy was applied (the cluster does not serve the CRD).</summary>
    public string? CiliumNetworkPolicyName { get; init; }

    public bool CiliumApplied => CiliumNetworkPolicyName is not null;

    /// <summary>The pod's labels before quarantine, as saved in its annotation.</summary>
    public IReadOnlyDictionary<string, string> SavedLabels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<IsolationWarning> Warnings { get; init; } = [];

    /// <summary>
    /// Who owned the pod when this isolation took it out of its labels; null when it found the pod quarantined already,
    /// whose controller had let it go by then.
    /// </summary>
    public PodOwnership? Ownership { get; init; }

    /// <summary>Whether reading back showed the labels and policies in place.</summary>
    public bool Verified { get; init; }
}
