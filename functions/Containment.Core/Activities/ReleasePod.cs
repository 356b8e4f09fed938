using System.Text.Json;
using Containment.Clusters;
using Containment.Isolation;
using Containment.Ledger;
using LedgerStatus = Containment.Ledger.IsolationStatus;
using ReleaseAction = Containment.Isolation.Actions.Release.ReleasePod;

namespace Containment.Activities;

/// <summary>The <c>release</c> step: gives the pod back exactly as it was, and records who released it.</summary>
public sealed class ReleasePod(ReleaseAction release, IsolationLedger isolations, AuditTrail audit, TimeProvider time) : IRunActivity
{
    public string Name => nameof(ReleasePod);

    public async Task<ActivityResult> RunAsync(ActivityRequest request, CancellationToken cancellationToken)
    {
        var target = request.Alert.Target;
        var id = ActivityTargets.IsolationId(target);
        var actor = ActivityTargets.Actor(request);
        var reason = request.Step is Playbooks.ReleaseStep { Reason: { } given } ? given : "release";

        ReleaseOutcome outcome;
        try
        {
            outcome = await release.ReleaseAsync(ActivityTargets.Pod(target), cancellationToken);
        }
        catch (KubernetesOperationException exception)
        {
            await SetAsync(id, LedgerStatus.Failed, actor, reason, exception.Failure.Message, cancellationToken);
            await audit.AppendAsync(new AuditEntry { SubjectId = id, Action = AuditAction.ReleaseFailed, At = time.GetUtcNow(), Actor = actor, RunInstanceId = request.InstanceId, Detail = exception.Failure.Message }, cancellationToken);
            return ActivityTargets.Failure(exception);
        }

        var now = time.GetUtcNow();
        await SetAsync(id, LedgerStatus.Released, actor, reason, failure: null, cancellationToken, releasedAt: now);
        var detail = outcome.Status switch
        {
            ReleaseStatus.PodGone => "the pod no longer exists; its quarantine policies were removed",
            ReleaseStatus.NotIsolated => "the pod was not isolated; nothing changed",
            _ => $"labels restored ({outcome.RestoredLabels.Count}), policies deleted: {string.Join(", ", outcome.DeletedPolicies)}",
        };
        await audit.AppendAsync(
            new AuditEntry
            {
                SubjectId = id,
                Action = AuditAction.Released,
                At = now,
                Actor = actor,
                RunInstanceId = request.InstanceId,
                Detail = outcome.Notes.Count == 0 ? detail : $"{detail}; {string.Join("; ", outcome.Notes)}",
                Data = JsonSerializer.SerializeToElement(outcome, ContainmentJson.Options),
            },
            cancellationToken);
        return ActivityResult.Success(outcome);
    }

    private Task<IsolationRecord?> SetAsync(string id, LedgerStatus status, string actor, string reason, string? failure, CancellationToken cancellationToken, DateTimeOffset? releasedAt = null) =>
        isolations.ChangeAsync(
            id,
            current => current is null
                ? null // Nothing was ever recorded for this pod: the release still runs, the ledger has nothing to change.
                : current with { Status = status, ChangedBy = actor, ChangedAt = time.GetUtcNow(), Reason = reason, FailureReason = failure, ReleasedAt = releasedAt ?? current.ReleasedAt },
            cancellationToken);
}
