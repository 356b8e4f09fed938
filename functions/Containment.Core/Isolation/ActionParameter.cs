namespace Containment.Isolation;

/// <summary>One parameter an action takes, for documentation and playbook validation.</summary>
public sealed record ActionParameter(string Name, string Description, bool Required = true);
