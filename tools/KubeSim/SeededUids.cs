using System.Text.Json.Nodes;

namespace KubeSim;

/// <summary>
/// The uids a seed's objects were given, so that an owner reference further down the seed names its owner's new
/// uid: by the uid the seed gave the owner, else by the owner's kind and name in the same namespace.
/// </summary>
internal sealed class SeededUids
{
    private readonly Dictionary<string, string> bySeededUid = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Kind, string? Namespace, string Name), string> byName = [];

    public void Add(string kind, string? ns, JsonObject created, string? seededUid)
    {
        var uid = created["metadata"]!["uid"]!.GetValue<string>();
        byName[(kind, ns, created["metadata"]!["name"]!.GetValue<string>())] = uid;
        if (seededUid is not null)
        {
            bySeededUid[seededUid] = uid;
        }
    }

    public void Relink(JsonObject metadata, string? ns)
    {
        if (metadata["ownerReferences"] is not JsonArray references)
        {
            return;
        }

        foreach (var reference in references.OfType<JsonObject>())
        {
            if ((string?)reference["uid"] is { } given && bySeededUid.TryGetValue(given, out var uid))
            {
                reference["uid"] = uid;
            }
            else if ((string?)reference["kind"] is { } kind && (string?)reference["name"] is { } name && byName.TryGetValue((kind, ns, name), out uid))
            {
                reference["uid"] = uid;
            }
        }
    }
}
