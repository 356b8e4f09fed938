using Azure;
using Containment.Playbooks;
using Containment.Runs.Machine;

namespace Containment.Runs.Embedded;

/// <summary>A run as stored: its state, the playbook it started with, and the row's ETag.</summary>
public sealed record StoredRun(RunState State, Playbook Playbook, ETag ETag);

/// <summary>
/// An external event kept until the run waits for it. <see cref="RunStartedAt"/> says which run of the
/// instance id it was raised for, as event names repeat from one run of a pod to the next (absent on rows
/// written before it was recorded, which count for any run).
/// </summary>
public sealed record BufferedEvent(string RowKey, string Name, System.Text.Json.JsonElement Payload, DateTimeOffset? RunStartedAt = null)
{
    public bool IsOfRun(DateTimeOffset runStartedAt) => RunStartedAt is null || RunStartedAt == runStartedAt;
}
