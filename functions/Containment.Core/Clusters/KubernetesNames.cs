using System.Text.RegularExpressions;

namespace Containment.Clusters;

/// <summary>
/// Kubernetes' rules for the object names the product sends to a cluster: namespaces and containers are DNS-1123
/// labels, pods and nodes DNS-1123 subdomains. A name outside them cannot exist in a cluster, so it is refused
/// where it comes in, before it reaches a run id, a table key or an API path.
/// </summary>
public static partial class KubernetesNames
{
    public const int MaxLabelLength = 63;
    public const int MaxSubdomainLength = 253;

    /// <summary>How much of a refused name a message repeats.</summary>
    private const int ShownCharacters = 64;

    /// <summary>Null when <paramref name="name"/> is a valid name of that kind, else what is wrong, in plain words.</summary>
    public static string? Problem(KubernetesNameKind kind, string? name)
    {
        var (subdomain, max) = kind is KubernetesNameKind.Pod or KubernetesNameKind.Node ? (true, MaxSubdomainLength) : (false, MaxLabelLength);
        var noun = kind.ToString().ToLowerInvariant();
        if (string.IsNullOrEmpty(name))
        {
            return $"no {noun} name given";
        }

        if (name.Length > max)
        {
            return $"'{Shown(name)}' is not a Kubernetes {noun} name: it is {name.Length} characters long, at most {max} are allowed";
        }

        return (subdomain ? Subdomain() : Label()).IsMatch(name)
            ? null
            : $"'{Shown(name)}' is not a Kubernetes {noun} name: lowercase letters, digits and '-'{(subdomain ? " (and '.' between parts)" : string.Empty)}, starting and ending with a letter or digit";
    }

    private static string Shown(string name) => TextCut.WithEllipsis(name, ShownCharacters + 1);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Label();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Subdomain();
}

