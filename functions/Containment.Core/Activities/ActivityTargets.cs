using System.Security.Cryptography;
using System.Text.Json;
using System.Text;
using Containment.Alerts;
using Containment.Clusters;
using Containment.Isolation;
using Containment.Ledger;
using Containment.Runs;

namespace Containment.Activities;

/// <summary>The ids and references the activities derive from a run's alert, in one place.</summary>
public static class ActivityTargets
{
    /// <summary>The pod's isolation record: one per pod, with the same key as its runs.</summary>
    public static string IsolationId(AlertTarget target) => RunInstanceId.ForTarget(target);

    public static string EventId(Alert alert) => SecurityEventLedger.IdOf(alert);

    /// <summary>
    /// The run's security event as the run knows it (the alert without the payload as received), for the ledger to store
    /// when the delivery that started the run did not: its insert failed after the run's, or the host stopped in between.
    /// </summary>
    public static SecurityEventRecord EventOf(ActivityRequest request, DateTimeOffset now) =>
        SecurityEventRecord.Unprocessed(request.Alert, request.Playbook, request.InstanceId, now, ProductActor);

    /// <summary>
    /// The call across every run of the pod: a call id is the run's and a count, and runs of a pod share the run id,
    /// so the alert that started the run tells its calls from those of the pod's other runs.
    /// </summary>
    public static string CallAcrossRuns(ActivityRequest request) => $"{request.CallId}@{EventId(request.Alert)}";

    public static PodReference Pod(AlertTarget target) => new(target.ClusterName, target.Namespace, target.Pod);

    /// <summary>
    /// The quarantine label's value: label values allow 63 characters of [A-Za-z0-9-_.], so a hash of the pod's id. Every
    /// run of a pod gives it the same one, so a run that finds another's fence in its way takes it up as it is; which run
    /// made a fence its run stamp says (<see cref="RunStamp"/>).
    /// </summary>
    public static string QuarantineId(AlertTarget target) =>
        "q-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(IsolationId(target))))[..20];

    /// <summary>The actor of what the product does by itself.</summary>
    public const string ProductActor = "containment";

    /// <summary>Who acts: the approver when a person decided, else the product itself.</summary>
    public static string Actor(ActivityRequest request) => request.LastDecision?.By ?? ProductActor;

    /// <summary>An audit entry about the run's pod, by whoever acts (<see cref="Actor"/>) unless <paramref name="actor"/> says otherwise.</summary>
    public static AuditEntry PodAudit(ActivityRequest request, AuditAction action, DateTimeOffset at, string? detail, JsonElement? data = null, string? actor = null) => new()
    {
        SubjectId = IsolationId(request.Alert.Target),
        Action = action,
        At = at,
        Actor = actor ?? Actor(request),
        RunInstanceId = request.InstanceId,
        Detail = detail,
        Data = data,
    };

    /// <summary>The audit entry of a try that failed and will be tried again (<see cref="ActivityRequest.WillRetry"/>).</summary>
    public static AuditEntry AttemptFailedAudit(ActivityRequest request, AuditAction action, DateTimeOffset at, string reason) =>
        PodAudit(request, action, at, $"attempt {request.Attempt} of {request.MaxAttempts} failed and will be tried again: {reason}");

    /// <summary>A Kubernetes failure as an activity failure: throttling and outages are worth another try, the rest is not.</summary>
    public static ActivityResult Failure(KubernetesOperationException exception) => ActivityResult.Failure(
        exception.Failure.Message,
        retryable: exception.Failure.Reason is KubernetesFailureReason.TooManyRequests or KubernetesFailureReason.ServerError
            or KubernetesFailureReason.Timeout or KubernetesFailureReason.Unreachable or KubernetesFailureReason.Conflict);
}
