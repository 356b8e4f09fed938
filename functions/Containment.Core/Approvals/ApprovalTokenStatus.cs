namespace Containment.Approvals;

public enum ApprovalTokenStatus
{
    Valid,

    /// <summary>Not a token at all: wrong shape, wrong encoding, wrong version, truncated.</summary>
    Malformed,

    /// <summary>Well formed, but signed by no key we hold: forged or tampered with.</summary>
    BadSignature,

    /// <summary>Genuine, but past its expiry.</summary>
    Expired,
}
