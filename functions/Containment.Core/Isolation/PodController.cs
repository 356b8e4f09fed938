namespace Containment.Isolation;

/// <summary>The controller a pod's owner reference names (<c>controller: true</c>): its kind and name.</summary>
public sealed record PodController(string Kind, string Name);
