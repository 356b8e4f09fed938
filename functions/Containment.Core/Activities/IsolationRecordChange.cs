using Containment.Isolation;
using Containment.Ledger;
using LedgerStatus = Containment.Ledger.IsolationStatus;

namespace Containment.Activities;

/// <summary>A change to a pod's isolation record and the audit entry that tells of it.</summary>
internal static class IsolationRecordChange
{
    /// <summary>
    /// Writes the changed record, stamped with the call that made it, and the entry in one transaction. A change that
    /// leaves the record as it is, or finds none and makes none, writes nothing: the entry is then kept on its own.
    /// </summary>
    /// <param name="call">The run step's call making the change (<see cref="ActivityTargets.CallAcrossRuns"/>).</param>
    /// <param name="runStartedAt">When the call's run started (null: not known, and not checked).</param>
    /// <param name="madeBefore">
    /// Whether a record stamped with this call shows the call's change made already: then nothing is written and no
    /// entry kept. Null for a change each try makes anew (a failed try's).
    /// </param>
    /// <param name="likelyNew">The caller expects no record yet (a first isolation): insert before reading.</param>
    /// <exception cref="SupersededByLaterRunException">A step of a later run of the pod made the record's last change; nothing was written.</exception>
    public static async Task ApplyAsync(
        IsolationLedger isolations,
        AuditTrail audit,
        string id,
        string call,
        DateTimeOffset? runStartedAt,
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
                // First: a later run's step may name the same call (a step id, the same alert), yet its change is not this call's.
                if (Superseding(current, runStartedAt) is { } superseded)
                {
                    throw superseded;
                }

                if (current is not null && current.ChangedByCall == call && madeBefore?.Invoke(current) == true)
                {
                    keepEntryAlone = false;
                    return current;
                }

                var next = change(current);
                keepEntryAlone = next is null || next == current;
                return keepEntryAlone ? next : next! with { ChangedByCall = call, ChangedByRunStartedAt = runStartedAt };
            },
            cancellationToken,
            likelyNew,
            audit: (_, _) => [entry]);
        if (keepEntryAlone)
        {
            await audit.AppendAsync(AuditSubject.Isolation, entry, cancellationToken);
        }
    }

    /// <summary>
    /// What stops a step of the run started at <paramref name="runStartedAt"/> when a step of a later run of the pod
    /// changed the record last; null when none did (or the step's run is not known).
    /// </summary>
    public static SupersededByLaterRunException? Superseding(IsolationRecord? current, DateTimeOffset? runStartedAt) =>
        runStartedAt is { } ours && current is { ChangedByRunStartedAt: { } last } && last > ours
            ? new SupersededByLaterRunException(last, Done(current.Status)) { Released = current.Status is LedgerStatus.Released or LedgerStatus.Releasing }
            : null;

    private static string Done(LedgerStatus status) => status switch
    {
        LedgerStatus.Isolated => "isolated it",
        LedgerStatus.Released => "released it",
        _ => $"made its isolation record {KebabCaseEnumConverter.ToWireName(status)}",
    };
}
