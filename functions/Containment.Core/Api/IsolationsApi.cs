using Containment.Alerts;
using Containment.Clusters;
using Containment.Intake;
using Containment.Ledger;
using Containment.Playbooks;
using Containment.Runs;
using PodReference = Containment.Isolation.PodReference;
using ReleaseAction = Containment.Isolation.Actions.Release.ReleasePod;
using UncordonAction = Containment.Isolation.Actions.UncordonNode.UncordonNode;

namespace Containment.Api;

/// <summary>
/// The isolation ledger (<c>GET /api/isolations</c>, <c>GET /api/isolations/{id}</c>) and isolation by hand:
/// <c>POST /api/isolations</c> runs the <c>manual-isolate</c> playbook, <c>POST .../release</c> ends any run
/// still holding the pod and runs <c>manual-release</c>.
/// </summary>
public sealed class IsolationsApi(
    IsolationLedger isolations,
    AuditTrail audit,
    ClusterRegistry clusters,
    PlaybookRepository playbooks,
    AlertAdmission admission,
    IPlaybookRuntime runtime,
    ReleaseAction release,
    UncordonAction uncordon,
    TimeProvider time)
{
    public const string ManualIsolate = "manual-isolate";
    public const string ManualRelease = "manual-release";

    public async Task<ApiResponse> ListAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        var (status, error) = ApiQuery.Enum<IsolationStatus>(request, "status");
        var (limit, after, pageError) = ApiQuery.PageOf(request);
        if ((error ?? pageError) is { } refused)
        {
            return refused;
        }

        // Records name the cluster by its configured alias; the filter takes any name the configuration knows it by.
        // A name it does not know is matched as given: records of a cluster since removed stay findable.
        var cluster = request.QueryValue("cluster") is { } named ? ClusterLookup.Find(clusters.Configured, named)?.Alias ?? named : null;
        var page = await isolations.ListAsync(new IsolationQuery(status, cluster, request.QueryValue("namespace"), limit, after), cancellationToken);
        return ApiResponse.Json(200, new { Isolations = page.Items, Next = page.Next?.ToToken() });
    }

    public async Task<ApiResponse> GetAsync(string id, CancellationToken cancellationToken)
    {
        var record = await isolations.GetAsync(id, cancellationToken);
        return record is null
            ? ApiResponse.Error(404, $"no isolation '{id}'")
            : ApiResponse.Json(200, new { Isolation = record, Audit = await audit.ListAsync(AuditSubject.Isolation, id, cancellationToken) });
    }

    public async Task<ApiResponse> IsolateAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        var (body, error) = ApiBody.Read<IsolationRequest>(request);
        if (body is null)
        {
            return error!;
        }

        var problems = new List<ApiErrorDetail>();
        CheckName(KubernetesNameKind.Namespace, body.Namespace, "/namespace", problems);
        CheckName(KubernetesNameKind.Pod, body.Pod, "/pod", problems);
        if (ReasonText.Problem(body.Reason, "say why the pod is isolated") is { } reasonProblem)
        {
            problems.Add(reasonProblem);
        }

        string? alias = null;
        try
        {
            alias = clusters.Resolve(body.Cluster).Alias;
        }
        catch (KubernetesOperationException exception)
        {
            problems.Add(new ApiErrorDetail("/cluster", exception.Failure.Message));
        }

        if (problems.Count > 0)
        {
            return ApiResponse.Error(400, "the isolation request is not valid", [.. problems]);
        }

        var now = time.GetUtcNow();
        var alert = ManualAlert(ManualIsolate, $"isolated by hand: {body.Reason}", new AlertTarget { Cluster = alias, Namespace = body.Namespace, Pod = body.Pod }, now, ApiActor.Of(request));
        return await RunManualAsync(request, ManualIsolate, alert, cancellationToken);
    }

    public async Task<ApiResponse> ReleaseAsync(ApiRequest request, string id, CancellationToken cancellationToken)
    {
        var (body, error) = ApiBody.Read<ReleaseRequest>(request);
        if (body is null)
        {
            return error!;
        }

        if (ReasonText.Problem(body.Reason, "say why the pod is released") is { } reasonProblem)
        {
            return ApiResponse.Error(400, "the release request is not valid", reasonProblem);
        }

        var record = await isolations.GetAsync(id, cancellationToken);
        var target = record is null
            ? TargetOf(id)
            : new AlertTarget { Cluster = record.Cluster, Namespace = record.Namespace, Pod = record.Pod, Container = record.Container, Node = record.Node };
        if (target is null)
        {
            return ApiResponse.Error(404, $"no isolation '{id}'");
        }

        var detail = $"released by hand: {body.Reason}";
        if (record is null or { Status: IsolationStatus.Released })
        {
            // The ledger says there is nothing to release, yet the cluster may still hold something of an isolation of the
            // pod (the drift watch reports each): then the release goes ahead, and this route is the remedy the drift
            // report points to.
            var left = await StillHeldAsync(target, cancellationToken);
            if (left is null)
            {
                return record is null ? ApiResponse.Error(404, $"no isolation '{id}'") : ApiResponse.Error(409, $"isolation '{id}' is already released");
            }

            detail += (left, record) switch
            {
                (HeldOnCluster.Quarantine, null) => " (the pod carries a quarantine and has no isolation record)",
                (HeldOnCluster.Quarantine, _) => " (the pod still carries a quarantine though its record says released)",
                (HeldOnCluster.CordonedNode, null) => " (a node is kept cordoned for the pod, which has no isolation record)",
                (HeldOnCluster.CordonedNode, _) => " (a node is still kept cordoned for the pod though its record says released)",
                (_, null) => " (the pod's quarantine policy is left, and the pod has no isolation record)",
                _ => " (the pod's quarantine policy is still there though its record says released)",
            };
        }

        var actor = ApiActor.Of(request);
        var now = time.GetUtcNow();
        await audit.AppendAsync(AuditSubject.Isolation, new AuditEntry { SubjectId = id, Action = AuditAction.ReleaseStarted, At = now, Actor = actor, RunInstanceId = record?.RunInstanceId, Detail = detail }, cancellationToken);

        // A run still holding the pod (waiting for a release approval, say) ends first, so that the release run takes its place.
        await runtime.TerminateAsync(RunInstanceId.ForTarget(target), $"released by hand by {actor}: {body.Reason}", cancellationToken);
        return await RunManualAsync(request, ManualRelease, ManualAlert(ManualRelease, $"released by hand: {body.Reason}", target, now, actor), cancellationToken);
    }

    /// <summary>The pod an id without a record names, on a configured cluster; null for an id no such pod has.</summary>
    private AlertTarget? TargetOf(string id) =>
        RunInstanceId.TryParse(id, out var parts) && ClusterLookup.Find(clusters.Configured, parts.Cluster) is { } cluster
            ? new AlertTarget { Cluster = cluster.Alias, Namespace = parts.Namespace, Pod = parts.Pod }
            : null;

    /// <summary>
    /// What a release would still give back on the cluster: the pod's quarantine, a node kept cordoned for it, or its
    /// quarantine policy; null for nothing. A cluster that cannot be read leaves the ledger's word standing.
    /// </summary>
    private async Task<HeldOnCluster?> StillHeldAsync(AlertTarget target, CancellationToken cancellationToken)
    {
        var pod = new PodReference(target.ClusterName, target.Namespace, target.Pod);
        try
        {
            if (await release.IsQuarantinedAsync(pod, cancellationToken))
            {
                return HeldOnCluster.Quarantine;
            }

            if (await uncordon.IsHeldForAsync(pod, cancellationToken))
            {
                return HeldOnCluster.CordonedNode;
            }

            return await release.HasFenceAsync(pod, cancellationToken) ? HeldOnCluster.Fence : null;
        }
        catch (KubernetesOperationException)
        {
            return null;
        }
    }

    private async Task<ApiResponse> RunManualAsync(ApiRequest request, string playbookName, Alert alert, CancellationToken cancellationToken)
    {
        var playbook = (await playbooks.GetCatalogAsync(cancellationToken)).Find(playbookName);
        if (playbook is null)
        {
            return ApiResponse.Error(503, $"the playbook {playbookName} is not loaded; see GET /api/playbooks");
        }

        var entry = await admission.AdmitAsync(alert, playbook, request.BaseUri, cancellationToken);
        return ApiResponse.Json(202, new { IsolationId = RunInstanceId.ForTarget(alert.Target), Run = entry });
    }

    /// <summary>
    /// An act by hand as an alert of source <c>manual</c>. Its id is new each time, ordered by time: two acts in the same
    /// instant (two pods isolated at once) are two security events, never one taken for a redelivery of the other.
    /// </summary>
    public static Alert ManualAlert(string playbookName, string title, AlertTarget target, DateTimeOffset now, string actor) => new()
    {
        Id = $"{playbookName}-{Guid.CreateVersion7(now):N}",
        Source = "manual",
        Category = AlertCategory.Other,
        Severity = Severity.High,
        Time = now,
        Title = title,
        Description = $"requested by {actor}",
        Rule = "by hand",
        Target = target,
    };

    private static void CheckName(KubernetesNameKind kind, string? name, string pointer, List<ApiErrorDetail> problems)
    {
        if (KubernetesNames.Problem(kind, name) is { } problem)
        {
            problems.Add(new ApiErrorDetail(pointer, problem));
        }
    }
}
