using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace KubeSim;

/// <summary>Counts requests per "METHOD path" so tests can assert how many writes a run made.</summary>
public sealed class RequestCounter
{
    private readonly ConcurrentDictionary<string, int> counts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> carriedOut = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> conflicts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> authorizations = new(StringComparer.Ordinal);

    /// <summary>Distinct Authorization header values seen, so tests can check which token a client sent.</summary>
    public IReadOnlyCollection<string> Authorizations => authorizations.Keys.ToList();

    public IReadOnlyDictionary<string, int> Snapshot() => new Dictionary<string, int>(counts, StringComparer.Ordinal);

    /// <summary>Requests that change state (POST, PUT, PATCH, DELETE), admin endpoints excluded.</summary>
    public int Writes => counts.Where(c => !c.Key.StartsWith("GET ", StringComparison.Ordinal)).Sum(c => c.Value);

    public int Count(string method, string pathPrefix) => SumUnder(counts, method, pathPrefix);

    /// <summary>
    /// Requests the API carried out (answered 2xx, whether or not a fault then held the answer back): a create refused
    /// with 409 because the object exists is counted by <see cref="Count"/> but not here.
    /// </summary>
    public int CarriedOut(string method, string pathPrefix) => SumUnder(carriedOut, method, pathPrefix);

    /// <summary>Requests the API refused with 409: a create of an object that exists, a write on a stale resourceVersion.</summary>
    public int Conflicts(string method, string pathPrefix) => SumUnder(conflicts, method, pathPrefix);

    public void Reset()
    {
        counts.Clear();
        carriedOut.Clear();
        conflicts.Clear();
    }

    internal void RecordAnswer(string method, string path, int statusCode)
    {
        if (statusCode is >= 200 and < 300)
        {
            carriedOut.AddOrUpdate(Key(method, path), 1, (_, n) => n + 1);
        }
        else if (statusCode == StatusCodes.Status409Conflict)
        {
            conflicts.AddOrUpdate(Key(method, path), 1, (_, n) => n + 1);
        }
    }

    internal void Record(string method, string path, string? authorization)
    {
        counts.AddOrUpdate(Key(method, path), 1, (_, n) => n + 1);
        if (!string.IsNullOrEmpty(authorization))
        {
            authorizations.TryAdd(authorization, 0);
        }
    }

    private static string Key(string method, string path) => $"{method.ToUpperInvariant()} {path}";

    private static int SumUnder(ConcurrentDictionary<string, int> requests, string method, string pathPrefix) =>
        requests.Where(c => c.Key.StartsWith(Key(method, pathPrefix), StringComparison.Ordinal)).Sum(c => c.Value);
}
