using Containment.Alerts;
using Containment.Playbooks;

namespace Containment.FunctionApp.Durable;

/// <summary>The orchestration input: the playbook as it was when the run started, and the alert.</summary>
public sealed record RunStart(Playbook Playbook, Alert Alert);
