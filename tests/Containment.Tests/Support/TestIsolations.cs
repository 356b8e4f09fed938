using Containment.Ledger;

namespace Containment.Tests.Support;

/// <summary>Isolation records for tests that store them directly.</summary>
internal static class TestIsolations
{
    /// <summary>A record in cluster c1, namespace payments, of the pod after the last <c>~</c> of its id.</summary>
    public static IsolationRecord Record(string id, IsolationStatus status) => new()
    {
        Id = id,
        Cluster = "c1",
        Namespace = "payments",
        Pod = id.Split('~').Last(),
        Status = status,
        ChangedBy = "test",
        ChangedAt = DateTimeOffset.UnixEpoch,
    };
}
