namespace Containment.Playbooks;

/// <summary>A valid playbook and the file it came from.</summary>
public sealed record LoadedPlaybook(Playbook Playbook, string File);
