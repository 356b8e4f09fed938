using System.Globalization;
using Containment.Alerts;
using Containment.Clusters;

namespace Containment.Intake;

/// <summary>
/// A playbook's trigger asks for the pod's labels and the cluster did not give them: the alert cannot be matched, so it
/// is not admitted and the sender delivers again. The message names the pod and the failure's reason and status, not the
/// API server's text.
/// </summary>
public sealed class PodLabelsUnreadableException(AlertTarget target, KubernetesFailure failure, Exception inner)
    : Exception(Describe(target, failure), inner)
{
    public KubernetesFailure Failure { get; } = failure;

    private static string Describe(AlertTarget target, KubernetesFailure failure)
    {
        var status = failure.StatusCode is { } code ? string.Create(CultureInfo.InvariantCulture, $", status {code}") : string.Empty;
        return $"the labels of pod {target.Namespace}/{target.Pod} in {target.ClusterName}, which a playbook's trigger asks for, could not be read ({KebabCaseEnumConverter.ToWireName(failure.Reason)}{status})";
    }
}
