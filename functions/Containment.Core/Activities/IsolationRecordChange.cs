using Containment.Ledger;

namespace Containment.Activities;

/// <summary>A change to a pod's isolation record and the audit entry that tells of it.</summary>
internal static class IsolationRecordChange
{
    /// <summary>
    /// Writes the changed record and the entry in one transaction. A change that leaves the record as it is, or
    /// finds none and makes none, writes nothing: the entry is then kept on its own.
    /// </summary>
    /// <param name="likelyNew">The caller expects no record yet (a first isolation): insert before reading.</param>
    public static async Task ApplyAsync(
        IsolationLedger isolations,
        AuditTrail audit,
        string id,
        Func<IsolationRecord?, IsolationRecord?> change,
        AuditEntry entry,
        bool likelyNew,
        CancellationToken cancellationToken)
    {
        // The last call of the change decides: the ledger calls it again after a conflict.
        var unchanged = false;
        await isolations.ChangeAsync(
            id,
            current =>
            {
                var next = change(current);
                unchanged = next is null || next == current;
                return next;
            },
            cancellationToken,
            likelyNew,
            audit: (_, _) => [entry]);
        if (unchanged)
        {
            await audit.AppendAsync(AuditSubject.Isolation, entry, cancellationToken);
        }
    }
}
