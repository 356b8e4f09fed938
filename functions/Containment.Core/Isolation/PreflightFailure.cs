namespace Containment.Isolation;

/// <summary>A refused quarantine: the reason and a sentence a run can record.</summary>
public sealed record PreflightFailure(PreflightFailureReason Reason, string Message);
