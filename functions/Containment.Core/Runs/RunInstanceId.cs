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

    /// <summary>
    /// The cluster, namespace and pod an id was made from (as the id holds them: lowercased); false for text that no
    /// pod's id can be. An isolation that has no record is known by its id alone.
    /// </summary>
    public static bool TryParse(string id, out (string Cluster, string Namespace, string Pod) target)
    {
        target = default;
        var parts = id.Split('~');
        if (parts.Length != 3 || Decode(parts[0]) is not { } cluster || Decode(parts[1]) is not { } ns || Decode(parts[2]) is not { } pod)
        {
            return false;
        }

        target = (cluster, ns, pod);
        return true;
    }

    private static string? Decode(string part)
    {
        var bytes = new List<byte>(part.Length);
        for (var index = 0; index < part.Length; index++)
        {
            if (part[index] == '_' && index + 2 < part.Length
                && byte.TryParse(part.AsSpan(index + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            {
                bytes.Add(value);
                index += 2;
            }
            else if (part[index] < 0x80)
            {
                bytes.Add((byte)part[index]);
            }
            else
            {
                return null;
            }
        }

        // Only what Encode makes: a part that does not come back the same is no part of an id.
        var decoded = Encoding.UTF8.GetString([.. bytes]);
        return decoded.Length > 0 && Encode(decoded) == part ? decoded : null;
    }

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
