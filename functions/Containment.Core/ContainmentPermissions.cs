using Containment.Clusters;
using Containment.Intake;
using Containment.Isolation;
using Containment.Isolation.Drift;

namespace Containment;

/// <summary>
/// Every permission Containment uses on a cluster, one entry per resource: what its identity must be granted there
/// (<c>./containment rbac</c> prints it as a ClusterRole). A step whose permission is missing fails with 403.
/// </summary>
public static class ContainmentPermissions
{
    // The order the Kubernetes API documentation lists verbs in, so a printed role reads the same every time.
    // Before All: static fields start in the order they are written.
    private static readonly string[] VerbOrder = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];

    public static IReadOnlyList<KubernetesPermission> All { get; } = Merge(
    [
        .. ContainmentActions.All.SelectMany(action => action.Needed),
        .. LedgerDriftCheck.Needed,
        .. PodLabelsReader.Needed,
        .. ClusterAccessReview.Needed,
    ]);

    /// <summary>One permission per API group and resource, with the verbs of all of them; groups and resources in ordinal order.</summary>
    public static IReadOnlyList<KubernetesPermission> Merge(IEnumerable<KubernetesPermission> permissions) =>
        permissions
            .GroupBy(permission => (permission.Group, permission.Resource))
            .OrderBy(same => same.Key.Group, StringComparer.Ordinal)
            .ThenBy(same => same.Key.Resource, StringComparer.Ordinal)
            .Select(same => new KubernetesPermission(
                same.Key.Group,
                same.Key.Resource,
                [.. same.SelectMany(permission => permission.Verbs).Distinct(StringComparer.Ordinal).OrderBy(VerbRank).ThenBy(verb => verb, StringComparer.Ordinal)]))
            .ToList();

    private static int VerbRank(string verb) => Array.IndexOf(VerbOrder, verb) is var rank and >= 0 ? rank : VerbOrder.Length;
}
