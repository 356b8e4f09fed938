using System.Text.Json.Nodes;

namespace KubeSim;

/// <summary>Merge patch (RFC 7386), the map part of strategic merge patch, and JSON patch (RFC 6902).</summary>
public static class JsonPatching
{
    public static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? [];
        foreach (var (key, value) in patchObject)
        {
            // Strategic-merge directives are not needed for the fields the simulator supports.
            if (key.StartsWith('$'))
            {
                continue;
            }

            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                var existing = result[key];
                result.Remove(key);
                result[key] = MergePatch(existing?.DeepClone(), value);
            }
        }

        return result;
    }

    public static JsonNode JsonPatch(JsonNode target, JsonArray operations)
    {
        foreach (var operation in operations)
        {
            var op = operation?["op"]?.GetValue<string>() ?? throw new InvalidOperationException("op missing");
            var path = operation["path"]?.GetValue<string>() ?? throw new InvalidOperationException("path missing");
            var value = operation["value"]?.DeepClone();
            switch (op)
            {
                case "add":
                    Set(target, path, value, insert: true);
                    break;
                case "replace":
                    Get(target, path);
                    Set(target, path, value, insert: false);
                    break;
                case "remove":
                    Remove(target, path);
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(target, path), value))
                    {
                        throw new InvalidOperationException($"test failed at {path}");
                    }

                    break;
                default:
                    throw new InvalidOperationException($"unsupported op {op}");
            }
        }

        return target;
    }

    private static string[] Tokens(string path) =>
        path.Split('/').Skip(1).Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();

    private static JsonNode? Get(JsonNode root, string path)
    {
        JsonNode? node = root;
        foreach (var token in Tokens(path))
        {
            node = node switch
            {
                JsonObject o when o.ContainsKey(token) => o[token],
                JsonArray a when int.TryParse(token, out var i) && i < a.Count => a[i],
                _ => throw new InvalidOperationException($"path {path} does not exist"),
            };
        }

        return node;
    }

    private static JsonNode Parent(JsonNode root, string path, out string last)
    {
        var tokens = Tokens(path);
        last = tokens[^1];
        return Get(root, "/" + string.Join('/', tokens[..^1].Select(t => t.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal))))
            ?? throw new InvalidOperationException($"parent of {path} is null");
    }

    private static void Set(JsonNode root, string path, JsonNode? value, bool insert)
    {
        var parent = Parent(root, path, out var last);
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, out var i):
                if (insert)
                {
                    a.Insert(i, value);
                }
                else
                {
                    a[i] = value;
                }

                break;
            default:
                throw new InvalidOperationException($"cannot set {path}");
        }
    }

    private static void Remove(JsonNode root, string path)
    {
        var parent = Parent(root, path, out var last);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                o.Remove(last);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i < a.Count:
                a.RemoveAt(i);
                break;
            default:
                throw new InvalidOperationException($"path {path} does not exist");
        }
    }
}
