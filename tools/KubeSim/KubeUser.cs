namespace KubeSim;

/// <summary>Who a request comes from, as the API server's authenticator names it: a user name and its groups.</summary>
internal sealed record KubeUser(string Name, IReadOnlyList<string> Groups)
{
    /// <summary>The group the API server allows everything, before any authorizer is asked.</summary>
    public const string Masters = "system:masters";

    /// <summary>The group every authenticated user is in.</summary>
    public const string Authenticated = "system:authenticated";

    public bool IsMaster => IsIn(Masters);

    public bool IsIn(string group) => Groups.Contains(group, StringComparer.Ordinal);
}
