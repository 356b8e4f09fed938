namespace Containment.Approvals;

public enum ApproverVerdict
{
    /// <summary>May decide.</summary>
    Allowed,

    /// <summary>Signed in as someone the playbook does not name.</summary>
    NotAnApprover,

    /// <summary>The playbook names approvers but nobody is signed in; a typed name proves nothing.</summary>
    SignInRequired,
}
