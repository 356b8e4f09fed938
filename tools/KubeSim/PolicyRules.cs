using System.Text.Json.Nodes;

namespace KubeSim;

/// <summary>
/// How the RBAC authorizer reads a role's rules and a binding's subjects: a rule allows a request when each of its
/// lists holds the request's value or <c>*</c>, and its resourceNames (when it has any) hold the request's name.
/// </summary>
internal static class PolicyRules
{
    private const string All = "*";

    public static bool AnyAllows(JsonNode? rules, RequestAttributes request) =>
        rules is JsonArray array && array.Any(rule => rule is JsonObject r && Allows(r, request));

    /// <param name="bindingNamespace">The RoleBinding's namespace, where a ServiceAccount subject without one is; null for a ClusterRoleBinding.</param>
    public static bool Names(JsonObject binding, KubeUser user, string? bindingNamespace) =>
        binding["subjects"] is JsonArray subjects && subjects.Any(subject => Text(subject?["kind"]) switch
        {
            "User" => Text(subject!["name"]) == user.Name,
            "Group" => Text(subject!["name"]) is { } group && user.IsIn(group),
            "ServiceAccount" => (Text(subject!["namespace"]) is { Length: > 0 } ns ? ns : bindingNamespace) is { Length: > 0 } saNamespace
                && user.Name == $"system:serviceaccount:{saNamespace}:{Text(subject["name"])}",
            _ => false,
        });

    /// <summary>The string a field holds, or null when it is missing or not a string (the simulator does not validate RBAC objects).</summary>
    public static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static bool Allows(JsonObject rule, RequestAttributes request)
    {
        if (!Holds(rule["verbs"], request.Verb))
        {
            return false;
        }

        if (!request.IsResourceRequest)
        {
            // A rule's nonResourceURLs: the path, "*", or a prefix ending in "*".
            return Strings(rule["nonResourceURLs"]).Any(url => url == All || url == request.Path
                || (url.EndsWith('*') && request.Path.StartsWith(url.TrimEnd('*'), StringComparison.Ordinal)));
        }

        var resource = request.Subresource.Length > 0 ? $"{request.Resource}/{request.Subresource}" : request.Resource;
        var resources = Strings(rule["resources"]).ToList();
        var names = Strings(rule["resourceNames"]).ToList();
        return Holds(rule["apiGroups"], request.ApiGroup)
            && (resources.Contains(All) || resources.Contains(resource)
                || (request.Subresource.Length > 0 && resources.Contains($"*/{request.Subresource}")))
            && (names.Count == 0 || (request.Name is { } name && names.Contains(name)));
    }

    private static bool Holds(JsonNode? list, string value) => Strings(list).Any(item => item == All || item == value);

    private static IEnumerable<string> Strings(JsonNode? list) =>
        list is JsonArray array ? array.Select(Text).OfType<string>() : [];
}
