namespace Containment.Isolation;

public sealed record IsolationWarning(IsolationWarningKind Kind, string Message, string? PolicyName = null);
