using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KubeSim;

/// <summary>
/// Thread-safe in-memory objects. Every write takes the next value of one global resourceVersion
/// counter, as etcd's revision does. Objects are kept by resource and namespace, in name order, with
/// their labels beside them, as the API server's watch cache keeps them: a namespaced list reads that
/// namespace's objects of its kind alone, so it costs what the namespace holds, not the cluster.
/// </summary>
public sealed partial class ObjectStore(TimeProvider timeProvider)
{
    private readonly Lock gate = new();
    private readonly Dictionary<(string Resource, string Namespace), SortedDictionary<string, Stored>> buckets = [];
    private readonly List<(ResourceKind Kind, Action<JsonObject> Mutate)> createMutations = [];
    private readonly List<(ResourceKind Kind, Action<JsonObject> Mutate)> updateMutations = [];
    private long resourceVersion;
    private int podIpCounter;

    /// <summary>
    /// Adds what a mutating admission webhook does to every update of objects of the kind: the API server calls it before
    /// it stores the object, so the stored object, and the writer's answer, carry its change.
    /// </summary>
    public void MutateUpdates(ResourceKind kind, Action<JsonObject> mutate)
    {
        lock (gate)
        {
            updateMutations.Add((kind, mutate));
        }
    }

    /// <summary>As <see cref="MutateUpdates"/>, for every create of objects of the kind (<see cref="SeedAsync"/> is not admitted).</summary>
    public void MutateCreates(ResourceKind kind, Action<JsonObject> mutate)
    {
        lock (gate)
        {
            createMutations.Add((kind, mutate));
        }
    }

    public Task<JsonObject?> GetAsync(ResourceKind kind, string? ns, string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return Task.FromResult(TryGetLocked(kind, ns, name) is { } found ? (JsonObject)found.DeepClone() : null);
        }
    }

    public Task<(IReadOnlyList<JsonObject> Items, string ResourceVersion)> ListAsync(
        ResourceKind kind, string? ns, LabelSelector labels, IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            var items = BucketsLocked(kind, ns)
                .SelectMany(bucket => bucket.Values)
                .Where(stored => labels.Matches(stored.Labels) && MatchesFields(stored.Object, fields))
                .Select(stored => (JsonObject)stored.Object.DeepClone())
                .ToList();
            return Task.FromResult<(IReadOnlyList<JsonObject>, string)>((items, resourceVersion.ToString(CultureInfo.InvariantCulture)));
        }
    }

    public Task<JsonObject> CreateAsync(ResourceKind kind, string? ns, JsonObject body, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            Admit(createMutations, kind, body);
            var created = CreateLocked(kind, ns, body);
            if (kind == ResourceCatalog.Pods)
            {
                ReconcileReplicaSetsLocked(ns ?? "", created["metadata"]!["name"]!.GetValue<string>());
            }
            else if (kind == ResourceCatalog.ReplicaSets)
            {
                ScaleLocked(ns ?? "", created);
            }

            return Task.FromResult(created);
        }
    }

    /// <summary>
    /// Adds an object of a seed: as <see cref="CreateAsync"/>, but a <c>creationTimestamp</c> the seed gives is kept (a
    /// seed stands for a cluster whose objects were made before it started), and no controller acts on it.
    /// </summary>
    public Task<JsonObject> SeedAsync(ResourceKind kind, string? ns, JsonObject body, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return Task.FromResult(CreateLocked(kind, ns, body, keepCreationTimestamp: true));
        }
    }

    public Task<JsonObject> ReplaceAsync(ResourceKind kind, string? ns, string name, JsonObject body, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (TryGetLocked(kind, ns, name) is not { } existing)
            {
                throw KubeApiException.NotFound(kind, name);
            }

            var expected = body["metadata"]?["resourceVersion"]?.GetValue<string>();
            if (!string.IsNullOrEmpty(expected) && expected != existing["metadata"]!["resourceVersion"]!.GetValue<string>())
            {
                throw KubeApiException.Conflict(kind, name);
            }

            var bodyName = body["metadata"]?["name"]?.GetValue<string>();
            if (bodyName is not null && bodyName != name)
            {
                throw KubeApiException.Invalid(kind, name, "metadata.name: the name of the object does not match the name on the URL");
            }

            return Task.FromResult(StoreUpdated(kind, ns, name, existing, body));
        }
    }

    public Task<JsonObject> PatchAsync(ResourceKind kind, string? ns, string name, string contentType, JsonNode patch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (TryGetLocked(kind, ns, name) is not { } existing)
            {
                throw KubeApiException.NotFound(kind, name);
            }

            JsonNode patched;
            try
            {
                patched = contentType.StartsWith("application/json-patch+json", StringComparison.OrdinalIgnoreCase)
                    ? JsonPatching.JsonPatch(existing.DeepClone(), patch as JsonArray ?? throw new InvalidOperationException("a JSON patch is an array"))
                    : JsonPatching.MergePatch(existing.DeepClone(), patch)!;
            }
            catch (InvalidOperationException e)
            {
                throw KubeApiException.Invalid(kind, name, e.Message);
            }

            if (patched is not JsonObject patchedObject)
            {
                throw KubeApiException.Invalid(kind, name, "the patch does not leave an object");
            }

            var expected = patch is JsonObject p ? p["metadata"]?["resourceVersion"]?.GetValue<string>() : null;
            if (!string.IsNullOrEmpty(expected) && expected != existing["metadata"]!["resourceVersion"]!.GetValue<string>())
            {
                throw KubeApiException.Conflict(kind, name);
            }

            return Task.FromResult(StoreUpdated(kind, ns, name, existing, patchedObject));
        }
    }

    /// <param name="expectedUid">A precondition: the object's uid, else 409 and nothing deleted.</param>
    /// <param name="expectedVersion">A precondition: the object's resourceVersion, else 409 and nothing deleted.</param>
    public Task<JsonObject> DeleteAsync(ResourceKind kind, string? ns, string name, CancellationToken cancellationToken, string? expectedUid = null, string? expectedVersion = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!(buckets.TryGetValue(BucketKey(kind, ns), out var bucket) && bucket.TryGetValue(name, out var found)))
            {
                throw KubeApiException.NotFound(kind, name);
            }

            var metadata = found.Object["metadata"];
            if (expectedUid is not null && expectedUid != (string?)metadata?["uid"])
            {
                throw KubeApiException.PreconditionFailed(kind, name, "UID", expectedUid, (string?)metadata?["uid"] ?? "");
            }

            if (expectedVersion is not null && expectedVersion != (string?)metadata?["resourceVersion"])
            {
                throw KubeApiException.PreconditionFailed(kind, name, "ResourceVersion", expectedVersion, (string?)metadata?["resourceVersion"] ?? "");
            }

            DeleteLocked(kind, ns, name);
            if (kind == ResourceCatalog.Pods)
            {
                ReconcileDeletedPodLocked(ns ?? "", found.Object);
            }

            return Task.FromResult(found.Object);
        }
    }

    private void DeleteLocked(ResourceKind kind, string? ns, string name)
    {
        buckets[BucketKey(kind, ns)].Remove(name);
        resourceVersion++;
    }

    internal static IReadOnlyDictionary<string, string> Labels(JsonNode? obj) =>
        obj?["metadata"]?["labels"] is JsonObject labels
            ? labels.Where(l => l.Value is not null).ToDictionary(l => l.Key, l => l.Value!.ToString(), StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    private static void Admit(List<(ResourceKind Kind, Action<JsonObject> Mutate)> mutations, ResourceKind kind, JsonObject written)
    {
        foreach (var (mutated, mutate) in mutations)
        {
            if (mutated == kind)
            {
                mutate(written);
            }
        }
    }

    private JsonObject StoreUpdated(ResourceKind kind, string? ns, string name, JsonObject existing, JsonObject updated)
    {
        Admit(updateMutations, kind, updated);

        var metadata = updated["metadata"] as JsonObject ?? [];
        updated["metadata"] = metadata;
        // Identity fields are the server's, whatever the client sent.
        foreach (var owned in new[] { "uid", "creationTimestamp", "name", "namespace" })
        {
            var value = existing["metadata"]?[owned]?.DeepClone();
            metadata.Remove(owned);
            if (value is not null)
            {
                metadata[owned] = value;
            }
        }

        updated["apiVersion"] = kind.GroupVersion;
        updated["kind"] = kind.Kind;
        if (kind == ResourceCatalog.Pods && existing["status"] is JsonNode status && updated["status"] is null)
        {
            updated["status"] = status.DeepClone();
        }

        // ObjectMeta's maps are omitempty: a patch that takes the last label or annotation off leaves none, not {}.
        foreach (var map in new[] { "labels", "annotations" })
        {
            if (metadata[map] is JsonObject { Count: 0 })
            {
                metadata.Remove(map);
            }
        }

        metadata["resourceVersion"] = NextVersion();
        PutLocked(kind, ns, name, updated);
        var answer = (JsonObject)updated.DeepClone();
        if (kind == ResourceCatalog.Pods)
        {
            ReconcileReplicaSetsLocked(ns ?? "", name);
        }
        else if (kind == ResourceCatalog.ReplicaSets)
        {
            ScaleLocked(ns ?? "", updated);
        }

        return answer;
    }

    private JsonObject CreateLocked(ResourceKind kind, string? ns, JsonObject body, bool keepCreationTimestamp = false)
    {
        body = (JsonObject)body.DeepClone();
        var metadata = body["metadata"] as JsonObject ?? [];
        body["metadata"] = metadata;
        var name = metadata["name"]?.GetValue<string>();
        if (string.IsNullOrEmpty(name) && metadata["generateName"]?.GetValue<string>() is { Length: > 0 } prefix)
        {
            name = prefix + Guid.NewGuid().ToString("N")[..5];
        }

        if (string.IsNullOrEmpty(name))
        {
            throw KubeApiException.Invalid(kind, "", "metadata.name: Required value: name or generateName is required");
        }

        if (NameProblem(kind, name) is { } problem)
        {
            throw KubeApiException.Invalid(kind, name, $"metadata.name: Invalid value: {problem}");
        }

        if (TryGetLocked(kind, ns, name) is not null)
        {
            throw KubeApiException.AlreadyExists(kind, name);
        }

        metadata["name"] = name;
        if (kind.Namespaced)
        {
            metadata["namespace"] = ns;
        }

        metadata["uid"] = Guid.NewGuid().ToString();
        if (!keepCreationTimestamp || metadata["creationTimestamp"] is null)
        {
            metadata["creationTimestamp"] = timeProvider.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }

        metadata["resourceVersion"] = NextVersion();
        body["apiVersion"] = kind.GroupVersion;
        body["kind"] = kind.Kind;
        if (kind == ResourceCatalog.Pods)
        {
            MarkRunning(body);
        }

        PutLocked(kind, ns, name, body);
        return (JsonObject)body.DeepClone();
    }

    // Pods come up at once: the simulator has no kubelet.
    private void MarkRunning(JsonObject pod)
    {
        var status = pod["status"] as JsonObject ?? [];
        pod["status"] = status;
        status["phase"] = "Running";
        if (status["podIP"] is null)
        {
            podIpCounter++;
            var ip = pod["spec"]?["hostNetwork"]?.GetValue<bool>() == true
                ? "10.224.0.4"
                : $"10.244.{podIpCounter / 250}.{(podIpCounter % 250) + 2}";
            status["podIP"] = ip;
            status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = ip });
        }

        status["hostIP"] ??= "10.224.0.4";
        status["startTime"] ??= pod["metadata"]!["creationTimestamp"]!.DeepClone();
    }

    private static bool MatchesFields(JsonObject obj, IReadOnlyDictionary<string, string> fields)
    {
        foreach (var (field, value) in fields)
        {
            var actual = field switch
            {
                "metadata.name" => obj["metadata"]?["name"]?.GetValue<string>(),
                "metadata.namespace" => obj["metadata"]?["namespace"]?.GetValue<string>(),
                "spec.nodeName" => obj["spec"]?["nodeName"]?.GetValue<string>(),
                "status.phase" => obj["status"]?["phase"]?.GetValue<string>(),
                _ => throw new KubeApiException(400, "BadRequest", $"field label not supported: {field}"),
            };
            var negate = value.StartsWith('!');
            if ((actual == value.TrimStart('!')) == negate)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Why the API server would refuse the name, or null. RBAC objects take any name a path segment can carry
    /// ("system:discovery"), as its RBAC validation allows; the other kinds need an RFC 1123 subdomain.
    /// </summary>
    private static string? NameProblem(ResourceKind kind, string name)
    {
        if (kind.Group != ResourceCatalog.ClusterRoles.Group)
        {
            return name.Length > 253 || !DnsSubdomain().IsMatch(name)
                ? "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'"
                : null;
        }

        return name switch
        {
            "." or ".." => $"may not be '{name}'",
            _ when name.Contains('/', StringComparison.Ordinal) => "may not contain '/'",
            _ when name.Contains('%', StringComparison.Ordinal) => "may not contain '%'",
            _ => null,
        };
    }

    private string NextVersion() => (++resourceVersion).ToString(CultureInfo.InvariantCulture);

    private JsonObject? TryGetLocked(ResourceKind kind, string? ns, string name) =>
        buckets.TryGetValue(BucketKey(kind, ns), out var bucket) && bucket.TryGetValue(name, out var stored) ? stored.Object : null;

    /// <summary>Stores the object with its labels as they are now: a stored object is never changed in place.</summary>
    private void PutLocked(ResourceKind kind, string? ns, string name, JsonObject obj)
    {
        var key = BucketKey(kind, ns);
        if (!buckets.TryGetValue(key, out var bucket))
        {
            bucket = new SortedDictionary<string, Stored>(StringComparer.Ordinal);
            buckets[key] = bucket;
        }

        bucket[name] = new Stored(obj, Labels(obj));
    }

    /// <summary>The buckets a list reads: the namespace's alone, or every namespace's in namespace order.</summary>
    private IEnumerable<SortedDictionary<string, Stored>> BucketsLocked(ResourceKind kind, string? ns)
    {
        if (ns is not null || !kind.Namespaced)
        {
            return buckets.TryGetValue(BucketKey(kind, ns), out var bucket) ? [bucket] : [];
        }

        return buckets
            .Where(entry => entry.Key.Resource == kind.StorageKey)
            .OrderBy(entry => entry.Key.Namespace, StringComparer.Ordinal)
            .Select(entry => entry.Value);
    }

    private static (string, string) BucketKey(ResourceKind kind, string? ns) => (kind.StorageKey, kind.Namespaced ? ns ?? "" : "");

    private sealed record Stored(JsonObject Object, IReadOnlyDictionary<string, string> Labels);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
