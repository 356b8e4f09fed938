using Containment.Ledger;

namespace Containment.Activities;

/// <summary>A change to a pod's isolation record and the audit entry that tells of it.</summary>
internal static class IsolationRecordChange
{
    /// <summary>
    /// Writes the changed record, stamped with the call that made it, and the entry in one transaction. A change that
    /// leaves the record as it is, or finds none and makes none, writes nothing: the entry is then kept on its own.
    /// </summary>
    /// <param name="call">The run step's call making the change (<see cref="ActivityTargets.CallAcrossRuns"/>).</param>
    /// <param name="madeBefore">
    /// Whether a record stamped with this call shows the call's change made already: then nothing is written and no
    /// entry kept. Null for a change each try makes anew (a failed try's).
    /// </param>
    /// <param name="likelyNew">The caller expects no record yet (a first isolation): insert before reading.</param>
    public static async Task ApplyAsync(
        IsolationLedger isolations,
        AuditTrail audit,
        string id,
        string call,
        Func<IsolationRecord?, IsolationRecord?> change,
        Func<IsolationRecord, bool>? madeBefore,
        AuditEntry entry,
        bool likelyNew,
        CancellationToken cancellationToken)
    {
        // The change's last run decides: the ledger runs it again after a conflict.
        var keepEntryAlone = false;
        await isolations.ChangeAsync(
            id,
            current =>
            {
                if (current is not null && current.ChangedByCall == call && madeBefore?.Invoke(current) == true)
                {
                    keepEntryAlone = false;
                    return current;
                }

                var next = change(current);
                keepEntryAlone = next is null || next == current;
                return keepEntryAlone ? next : next! with { ChangedByCall = call };
            },
            cancellationToken,
            likelyNew,
            audit: (_, _) => [entry]);
        if (keepEntryAlone)
        {
            await audit.AppendAsync(AuditSubject.Isolation, entry, cancellationToken);
        }
    }
}
