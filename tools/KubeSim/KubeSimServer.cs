namespace KubeSim;

/// <summary>A small Kubernetes API server for tests and the demo. Not an enforcement engine.</summary>
public sealed class KubeSimServer
{
}
