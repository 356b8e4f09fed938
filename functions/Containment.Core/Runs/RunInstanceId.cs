using System.Globalization;
using System.Text;
using Containment.Alerts;

namespace Containment.Runs;

/// <summary>
/// Run instance ids derive from the pod (cluster, namespace, pod), so a second alert for a pod that is
/// already being handled joins its run. Ids are legal as Durable Functions instance ids and table keys
/// and safe in URLs: lowercase letters, digits, '.', '-', with '~' between the parts and '_xx' for any
/// other character.
/// </summary>
public static class RunInstanceId
{
    public static string ForTarget(string cluster, string ns, string pod) => $"{Encode(cluster)}~{Encode(ns)}~{Encode(pod)}";

    public static string ForTarget(AlertTarget target) => ForTarget(target.ClusterName, target.Namespace, target.Pod);

    private static string Encode(string part)
    {
        var text = new StringBuilder(part.Length);
        foreach (var character in part.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(character) || character is '-' or '.')
            {
                text.Append(character);
            }
            else
            {
                foreach (var value in Encoding.UTF8.GetBytes([character]))
                {
                    text.Append('_').Append(value.ToString("x2", CultureInfo.InvariantCulture));
                }
            }
        }

        return text.ToString();
    }
}
