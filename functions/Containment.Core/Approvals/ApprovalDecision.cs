namespace Containment.Approvals;

/// <summary>
/// A person's decision, raised to the run as the payload of its approval event (one event name per wait).
/// <see cref="By"/> is the signed-in identity when there was one, else the typed name, marked as unverified.
/// </summary>
public sealed record ApprovalDecision(Decision Decision, string By, string? Comment, DateTimeOffset At);
