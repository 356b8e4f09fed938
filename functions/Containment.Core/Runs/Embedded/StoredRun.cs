using Azure;
using Containment.Playbooks;
using Containment.Runs.Machine;

namespace Containment.Runs.Embedded;

/// <summary>A run as stored: its state, the playbook it started with, and the row's ETag.</summary>
public sealed record StoredRun(RunState State, Playbook Playbook, ETag ETag);

/// <summary>An external event kept until the run waits for it.</summary>
public sealed record BufferedEvent(string RowKey, string Name, System.Text.Json.JsonElement Payload);
