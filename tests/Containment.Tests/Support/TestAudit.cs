using Containment.Ledger;

namespace Containment.Tests.Support;

/// <summary>Audit entries for tests that write records directly.</summary>
internal static class TestAudit
{
    public static AuditEntry Entry(string subjectId, AuditAction action) =>
        new() { SubjectId = subjectId, Action = action, At = DateTimeOffset.UtcNow, Actor = "test" };
}
