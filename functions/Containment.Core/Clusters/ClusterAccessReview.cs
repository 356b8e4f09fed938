using Containment.Isolation.Actions.Quarantine;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Containment.Clusters;

/// <summary>
/// What Containment's identity may not do on a cluster, of all it declares (<see cref="ContainmentPermissions.All"/>),
/// as the cluster's own authorizers answer (SelfSubjectAccessReview, one per verb and resource, across namespaces):
/// what a step needing it would meet as 403, found before a person depends on it. Cilium's policies are asked about only
/// where the cluster serves them.
/// </summary>
public sealed partial class ClusterAccessReview(KubernetesCallPipeline calls, ILogger<ClusterAccessReview> logger)
{
    /// <summary>Asking is allowed to every authenticated identity on a cluster (system:basic-user); the role says it anyway.</summary>
    public static IReadOnlyList<KubernetesPermission> Needed { get; } = [new("authorization.k8s.io", "selfsubjectaccessreviews", ["create"])];

    /// <summary>The permissions not granted, one per resource; empty when all are. Null when the cluster did not answer the reviews.</summary>
    public async Task<IReadOnlyList<KubernetesPermission>?> MissingAsync(string alias, ClusterConnection connection, CancellationToken cancellationToken)
    {
        var asked = ContainmentPermissions.All
            .Where(permission => permission.Group != CiliumNetworkPolicies.Group || connection.Facts.ServesCiliumNetworkPolicies)
            .SelectMany(permission => permission.Verbs.Select(verb => permission with { Verbs = [verb] }))
            .ToList();
        try
        {
            var answers = await Task.WhenAll(asked.Select(async permission => (Permission: permission, Allowed: await AllowedAsync(connection.Client, permission, cancellationToken))));
            return ContainmentPermissions.Merge(answers.Where(answer => !answer.Allowed).Select(answer => answer.Permission));
        }
        catch (KubernetesOperationException exception)
        {
            // Not knowing is not "missing": the steps themselves still say what they meet.
            LogUnreviewed(logger, alias, exception.Failure.Message);
            return null;
        }
    }

    private async Task<bool> AllowedAsync(IKubernetes client, KubernetesPermission permission, CancellationToken cancellationToken)
    {
        var review = new V1SelfSubjectAccessReview
        {
            ApiVersion = "authorization.k8s.io/v1",
            Kind = "SelfSubjectAccessReview",
            Spec = new V1SelfSubjectAccessReviewSpec
            {
                ResourceAttributes = new V1ResourceAttributes { Group = permission.Group, Resource = permission.Resource, Verb = permission.Verbs[0] },
            },
        };
        var answer = await calls.ExecuteAsync(new KubernetesOperation("create", "selfsubjectaccessreviews"),
            ct => client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(review, cancellationToken: ct), cancellationToken);
        return answer.Status?.Allowed == true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster {Cluster} did not answer what Containment may do there: {Reason}")]
    private static partial void LogUnreviewed(ILogger logger, string cluster, string reason);
}
