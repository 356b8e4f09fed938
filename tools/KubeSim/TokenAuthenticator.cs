using System.Collections.Concurrent;

namespace KubeSim;

/// <summary>Bearer tokens and the users they stand for, as a static token file gives them to the API server.</summary>
internal sealed class TokenAuthenticator
{
    private readonly ConcurrentDictionary<string, KubeUser> users = new(StringComparer.Ordinal);
    private readonly string adminToken;

    public TokenAuthenticator(string adminToken, string adminName)
    {
        this.adminToken = adminToken;
        users[adminToken] = new KubeUser(adminName, [KubeUser.Masters, KubeUser.Authenticated]);
    }

    /// <summary>Maps the token to the user (replacing what it stood for before); the user is in system:authenticated too.</summary>
    /// <exception cref="ArgumentException">The token is empty, holds whitespace, or is the admin token; the user has no name.</exception>
    public void Add(string token, string userName, IEnumerable<string> groups)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userName);
        ArgumentNullException.ThrowIfNull(groups);
        if (string.IsNullOrEmpty(token) || token.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException("a bearer token is one word, not empty", nameof(token));
        }

        if (token == adminToken)
        {
            throw new ArgumentException("the admin token stays the cluster admin's", nameof(token));
        }

        users[token] = new KubeUser(userName, [.. groups.Append(KubeUser.Authenticated).Distinct(StringComparer.Ordinal)]);
    }

    /// <summary>The user an <c>Authorization</c> header names, or null when it carries no bearer token known here.</summary>
    public KubeUser? Authenticate(string? authorization)
    {
        // "Bearer <token>", the scheme in any case, as the API server's bearer token authenticator reads it.
        var parts = (authorization ?? "").Trim().Split(' ', 3);
        if (parts.Length < 2 || !parts[0].Equals("Bearer", StringComparison.OrdinalIgnoreCase) || parts[1].Length == 0)
        {
            return null;
        }

        return users.TryGetValue(parts[1], out var user) ? user : null;
    }
}
