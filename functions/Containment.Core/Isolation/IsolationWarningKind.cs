namespace Containment.Isolation;

/// <summary>Things a quarantine could not guarantee.</summary>
public enum IsolationWarningKind
{
    /// <summary>Another NetworkPolicy selects the quarantined pod and allows traffic, which the deny-all does not override.</summary>
    OtherPolicySelectsPod,

    /// <summary>The engine keeps connections established before the policy (Calico).</summary>
    EstablishedConnectionsKept,

    /// <summary>Whether established connections survive is not documented for this engine.</summary>
    EstablishedConnectionsUnknown,

    /// <summary>The network policy engine is not known: enforcement could not be confirmed.</summary>
    EngineUnknown,

    /// <summary>A CiliumNetworkPolicy was applied where Cilium CRs are best effort (AKS Cilium dataplane).</summary>
    CiliumPolicyBestEffort,

    /// <summary>Reading back did not show the expected labels or policies.</summary>
    VerificationFailed,
}
