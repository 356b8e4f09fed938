namespace KubeSim;

/// <summary>How to start a <see cref="KubeSimServer"/>.</summary>
public sealed record KubeSimOptions
{
    /// <summary>Loopback port; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Serve cilium.io/v2 ciliumnetworkpolicies (discovery and objects).</summary>
    public bool Cilium { get; init; }

    /// <summary>A Kubernetes <c>List</c> in JSON or YAML, as <c>kubectl get -o json</c> prints it.</summary>
    public string? SeedFile { get; init; }

    /// <summary>The seed as text, used when <see cref="SeedFile"/> is not set.</summary>
    public string? Seed { get; init; }

    /// <summary>
    /// Enforce Kubernetes RBAC: a request needs a bearer token (<see cref="KubeSimServer.AdminToken"/> is cluster-admin,
    /// others come from <see cref="KubeSimServer.AddUser"/>) and a role binding that allows it, else 401 or 403 as
    /// the API server answers. Off, every request is allowed whatever its token.
    /// </summary>
    public bool Rbac { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
