using Containment.Alerts;
using Containment.Playbooks;

namespace Containment.FunctionApp.Durable;

/// <summary>
/// The orchestration input: the playbook as it was when the run started, and the alert; and the start of the ended run
/// of the pod it replaces (null: none), which its own start must follow.
/// </summary>
public sealed record RunStart(Playbook Playbook, Alert Alert, DateTimeOffset? Replaces = null);
