using System.Collections.Frozen;

namespace Containment.Alerts;

/// <summary>
/// Every detector's rule names and alert types mapped onto <see cref="AlertCategory"/>, in one place, as data.
/// Lookups go: exact rule / alert type, then (Defender) keywords in the alert type and name, then the MITRE
/// tactic (Falco <c>mitre_*</c> tags, Defender <c>intent</c>), else <see cref="AlertCategory.Other"/>.
/// </summary>
public static class CategoryMap
{
    /// <summary>
    /// Falco rules (falcosecurity/rules: stable, incubating, sandbox; plus older and k8saudit names) by exact name,
    /// case-insensitive. "Potential Local Privilege Escalation via Environment Variables Misuse" is left to the
    /// tag fallback on purpose (mitre_privilege_escalation gives container-escape), as custom rules are.
    /// </summary>
    public static FrozenDictionary<string, AlertCategory> FalcoRules { get; } = new Dictionary<string, AlertCategory>
    {
        // Remote control of the container.
        ["Netcat/Socat Remote Code Execution on Host"] = AlertCategory.ReverseShell,
        ["Reverse Shell from Web Server"] = AlertCategory.ReverseShell,
        ["Redirect STDOUT/STDIN to Network Connection in Container"] = AlertCategory.ReverseShell,
        ["Netcat Remote Code Execution in Container"] = AlertCategory.ReverseShell,
        ["Outbound Connection to C2 Servers"] = AlertCategory.ReverseShell,
        ["Disallowed SSH Connection Non Standard Port"] = AlertCategory.ReverseShell,

        // Reaching the host from the container.
        ["Launch Excessively Capable Container"] = AlertCategory.ContainerEscape,
        ["Privileged Container Device Access"] = AlertCategory.ContainerEscape,
        ["Container Access to Host Sensitive Paths"] = AlertCategory.ContainerEscape,
        ["Modify Container Entrypoint"] = AlertCategory.ContainerEscape,
        ["Launch Privileged Container"] = AlertCategory.ContainerEscape,
        ["Launch Sensitive Mount Container"] = AlertCategory.ContainerEscape,
        // k8saudit plugin rules: they name the pod being created.
        ["Create Privileged Pod"] = AlertCategory.ContainerEscape,
        ["Create Sensitive Mount Pod"] = AlertCategory.ContainerEscape,
        ["Create HostNetwork Pod"] = AlertCategory.ContainerEscape,
        ["Debugfs Launched in Privileged Container"] = AlertCategory.ContainerEscape,
        ["Mount Launched in Privileged Container"] = AlertCategory.ContainerEscape,
        ["Detect release_agent File Container Escapes"] = AlertCategory.ContainerEscape,
        ["Change namespace privileges via unshare"] = AlertCategory.ContainerEscape,
        ["Linux Kernel Module Injection Detected"] = AlertCategory.ContainerEscape,
        ["Polkit Local Privilege Escalation Vulnerability (CVE-2021-4034)"] = AlertCategory.ContainerEscape,
        ["Sudo Potential Privilege Escalation"] = AlertCategory.ContainerEscape,

        // Processes the image did not ship or the workload should not run.
        ["Web Server Spawned Shell"] = AlertCategory.AbnormalProcess,
        ["Web Server Spawned Suspicious Child Process"] = AlertCategory.AbnormalProcess,
        ["DB program spawned process"] = AlertCategory.AbnormalProcess,
        ["System procs network activity"] = AlertCategory.AbnormalProcess,
        ["Interpreted procs inbound network activity"] = AlertCategory.AbnormalProcess,
        ["Interpreted procs outbound network activity"] = AlertCategory.AbnormalProcess,
        ["Program run with disallowed http proxy env"] = AlertCategory.AbnormalProcess,
        ["Decoding Payload in Container"] = AlertCategory.AbnormalProcess,
        ["Terminal shell in container"] = AlertCategory.AbnormalProcess,
        ["Run shell untrusted"] = AlertCategory.AbnormalProcess,
        ["Drop and execute new binary in container"] = AlertCategory.AbnormalProcess,
        ["Container Drift Detected (chmod)"] = AlertCategory.AbnormalProcess,
        ["Container Drift Detected (open+create)"] = AlertCategory.AbnormalProcess,
        ["Execution from /dev/shm"] = AlertCategory.AbnormalProcess,
        ["Launch Package Management Process in Container"] = AlertCategory.AbnormalProcess,
        ["System user interactive"] = AlertCategory.AbnormalProcess,
        ["Non sudo setuid"] = AlertCategory.AbnormalProcess,
        ["Java Process Class File Download"] = AlertCategory.AbnormalProcess,

        // File integrity, including reads of credentials files (a file-integrity signal before it is anything else).
        ["Read ssh information"] = AlertCategory.FileTampering,
        ["Read Shell Configuration File"] = AlertCategory.FileTampering,
        ["Adding ssh keys to authorized_keys"] = AlertCategory.FileTampering,
        ["User mgmt binaries"] = AlertCategory.FileTampering,
        ["Create files below dev"] = AlertCategory.FileTampering,
        ["Create Hidden Files or Directories"] = AlertCategory.FileTampering,
        ["Write below rpm database"] = AlertCategory.FileTampering,
        ["Read sensitive file untrusted"] = AlertCategory.FileTampering,
        ["Read sensitive file trusted after startup"] = AlertCategory.FileTampering,
        ["Directory traversal monitored file read"] = AlertCategory.FileTampering,
        ["Write below etc"] = AlertCategory.FileTampering,
        ["Write below root"] = AlertCategory.FileTampering,
        ["Write below binary dir"] = AlertCategory.FileTampering,
        ["Write below monitored dir"] = AlertCategory.FileTampering,
        ["Modify binary dirs"] = AlertCategory.FileTampering,
        ["Mkdir binary dirs"] = AlertCategory.FileTampering,
        ["Clear Log Activities"] = AlertCategory.FileTampering,
        ["Remove Bulk Data from Disk"] = AlertCategory.FileTampering,
        ["Delete or rename shell history"] = AlertCategory.FileTampering,
        ["Modify Shell Configuration File"] = AlertCategory.FileTampering,
        ["Schedule Cron Jobs"] = AlertCategory.FileTampering,
        ["Update Package Repository"] = AlertCategory.FileTampering,
        ["Create Symlink Over Sensitive Files"] = AlertCategory.FileTampering,
        ["Create Hardlink Over Sensitive Files"] = AlertCategory.FileTampering,
        ["Set Setuid or Setgid bit"] = AlertCategory.FileTampering,

        // Syscalls that are themselves the danger.
        ["Unprivileged Delegation of Page Faults Handling to a Userspace Process"] = AlertCategory.HighRiskSyscall,
        ["Packet socket created in container"] = AlertCategory.HighRiskSyscall,
        ["PTRACE attached to process"] = AlertCategory.HighRiskSyscall,
        ["PTRACE anti-debug attempt"] = AlertCategory.HighRiskSyscall,
        ["Fileless execution via memfd_create"] = AlertCategory.HighRiskSyscall,
        ["Change thread namespace"] = AlertCategory.HighRiskSyscall,
        ["BPF Program Not Profiled"] = AlertCategory.HighRiskSyscall,

        // Malicious code.
        ["Backdoored library loaded into SSHD (CVE-2024-3094)"] = AlertCategory.Malware,
        ["Network Tool Executed During NPM Package Install"] = AlertCategory.Malware,

        // Policy findings and data loss with no live channel into the pod: notified and recorded.
        ["Exfiltrating Artifacts via Kubernetes Control Plane"] = AlertCategory.Other,
        ["Launch Disallowed Container"] = AlertCategory.Other,
        ["Container Run as Root User"] = AlertCategory.Other,

        // Mining.
        ["Known Cryptominer Process Executed"] = AlertCategory.CryptoMining,
        ["Detect crypto miners using the Stratum protocol"] = AlertCategory.CryptoMining,
        ["Detect outbound connections to common miner pool ports"] = AlertCategory.CryptoMining,

        // Discovery, credential access and movement inside the cluster or cloud.
        ["Contact EC2 Instance Metadata Service From Container"] = AlertCategory.LateralMovement,
        ["Launch Suspicious Network Tool on Host"] = AlertCategory.LateralMovement,
        ["Read environment variable from /proc files"] = AlertCategory.LateralMovement,
        ["Kubernetes Client Tool Launched in Container"] = AlertCategory.LateralMovement,
        ["Unexpected UDP Traffic"] = AlertCategory.LateralMovement,
        ["Unexpected inbound connection source"] = AlertCategory.LateralMovement,
        ["Contact K8S API Server From Container"] = AlertCategory.LateralMovement,
        ["Contact cloud metadata service from container"] = AlertCategory.LateralMovement,
        ["Launch Suspicious Network Tool in Container"] = AlertCategory.LateralMovement,
        ["Launch Remote File Copy Tools in Container"] = AlertCategory.LateralMovement,
        ["Launch Ingress Remote File Copy Tools in Container"] = AlertCategory.LateralMovement,
        ["Network Connection outside Local Subnet"] = AlertCategory.LateralMovement,
        ["Unexpected K8s NodePort Connection"] = AlertCategory.LateralMovement,
        ["Basic Interactive Reconnaissance"] = AlertCategory.LateralMovement,
        ["Search Private Keys or Passwords"] = AlertCategory.LateralMovement,
        ["Find AWS Credentials"] = AlertCategory.LateralMovement,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Falco <c>mitre_*</c> tags, used only when the rule name is not in <see cref="FalcoRules"/>; the first tag
    /// in this order that the event carries wins. Privilege escalation in a container is the step towards the
    /// host, so it counts as container-escape; command and control is remote control (reverse-shell), while
    /// exfiltration and impact imply no live channel into the pod and stay other (notified, recorded).
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, AlertCategory>> MitreTactics { get; } =
    [
        new("privilege_escalation", AlertCategory.ContainerEscape),
        new("command_and_control", AlertCategory.ReverseShell),
        new("credential_access", AlertCategory.LateralMovement),
        new("lateral_movement", AlertCategory.LateralMovement),
        new("discovery", AlertCategory.LateralMovement),
        new("execution", AlertCategory.AbnormalProcess),
        new("persistence", AlertCategory.FileTampering),
        new("defense_evasion", AlertCategory.FileTampering),
        new("exfiltration", AlertCategory.Other),
        new("impact", AlertCategory.Other),
    ];

    /// <summary>
    /// Defender for Containers alert types (<c>K8S_</c> control plane, <c>K8S.NODE_</c> runtime) by exact type, as
    /// listed in Defender for Cloud's "Alerts for containers - Kubernetes clusters" reference. Cluster-level
    /// findings that name no workload (exposed services, role bindings) stay other.
    /// </summary>
    public static FrozenDictionary<string, AlertCategory> DefenderAlertTypes { get; } = new Dictionary<string, AlertCategory>
    {
        ["K8S.NODE_ReverseShell"] = AlertCategory.ReverseShell,

        ["K8S.NODE_NamespaceCreation"] = AlertCategory.ContainerEscape,
        ["K8S.NODE_PrivilegedExecutionInContainer"] = AlertCategory.ContainerEscape,
        ["K8S.NODE_PrivilegedContainerArtifacts"] = AlertCategory.ContainerEscape,
        ["K8S_PrivilegedContainer"] = AlertCategory.ContainerEscape,
        ["K8S_SensitiveMount"] = AlertCategory.ContainerEscape,

        ["K8S.NODE_DigitalCurrencyMining"] = AlertCategory.CryptoMining,
        ["K8S.NODE_CryptoCoinMinerArtifacts"] = AlertCategory.CryptoMining,
        ["K8S.NODE_CryptoCoinMinerExecution"] = AlertCategory.CryptoMining,
        ["K8S.NODE_CryptoCoinMinerDownload"] = AlertCategory.CryptoMining,
        ["K8S_MaliciousContainerImage"] = AlertCategory.CryptoMining,

        ["K8S.NODE_Webshell"] = AlertCategory.Malware,
        ["K8S.NODE_CommonBot"] = AlertCategory.Malware,
        ["K8S.NODE_KnownLinuxDDoSToolkit"] = AlertCategory.Malware,
        ["K8S.NODE_LinuxBackdoorArtifact"] = AlertCategory.Malware,
        ["K8S.NODE_SuspectDownload"] = AlertCategory.Malware,
        ["K8S.NODE_MitreCalderaTools"] = AlertCategory.Malware,
        // Defender's test alert: it exercises the malware path end to end.
        ["K8S.NODE_EICAR"] = AlertCategory.Malware,

        ["K8S.NODE_SuspectDownloadArtifacts"] = AlertCategory.AbnormalProcess,
        ["K8S.NODE_DownloadAndRunCombo"] = AlertCategory.AbnormalProcess,
        ["K8S.NODE_SuspectNohup"] = AlertCategory.AbnormalProcess,
        ["K8S.NODE_KnownLinuxAttackTool"] = AlertCategory.AbnormalProcess,
        ["K8S.NODE_ExploitAttempt"] = AlertCategory.AbnormalProcess,
        ["K8S.NODE_SuspectProcessTermination"] = AlertCategory.AbnormalProcess,
        ["K8S.NODE_ContainerSSH"] = AlertCategory.AbnormalProcess,
        ["K8S.NODE_ImageBuildOnNode"] = AlertCategory.AbnormalProcess,

        ["K8S.NODE_HistoryFileCleared"] = AlertCategory.FileTampering,
        ["K8S.NODE_SystemLogRemoval"] = AlertCategory.FileTampering,
        ["K8S.NODE_TimestampTampering"] = AlertCategory.FileTampering,
        ["K8S.NODE_TimerServiceDisabled"] = AlertCategory.FileTampering,
        ["K8S.NODE_SuspectUserAddition"] = AlertCategory.FileTampering,
        ["K8S.NODE_SuspectPasswordChange"] = AlertCategory.FileTampering,
        ["K8S.NODE_SuspectPasswordFileAccess"] = AlertCategory.FileTampering,
        ["K8S.NODE_SshKeyAccess"] = AlertCategory.FileTampering,

        ["K8S.NODE_KubernetesAPI"] = AlertCategory.LateralMovement,
        ["K8S.NODE_KubernetesDashboard"] = AlertCategory.LateralMovement,
        ["K8S.NODE_KubeConfigAccess"] = AlertCategory.LateralMovement,
        ["K8S.NODE_ImdsCall"] = AlertCategory.LateralMovement,
        ["K8S.NODE_KnownLinuxCredentialAccessTool"] = AlertCategory.LateralMovement,
        ["K8S.NODE_SuspectPortForwarding"] = AlertCategory.LateralMovement,
        ["K8S.NODE_SuspectConnection"] = AlertCategory.LateralMovement,
        ["K8S.NODE_ReconnaissanceArtifactsBurst"] = AlertCategory.LateralMovement,
        ["K8S_PenTestToolsKubeHunter"] = AlertCategory.LateralMovement,
        ["K8S_ServiceAccountRareOperation"] = AlertCategory.LateralMovement,
        ["K8S_AbnormalMiActivity"] = AlertCategory.LateralMovement,
        ["K8S_CoreDnsModification"] = AlertCategory.LateralMovement,

        ["K8S_ExposedDashboard"] = AlertCategory.Other,
        ["K8S_ExposedKubeflow"] = AlertCategory.Other,
        ["K8S_ExposedService"] = AlertCategory.Other,
        ["K8S_ExposedRedis"] = AlertCategory.Other,
        ["K8S_ExposedPostgresTrustAuth"] = AlertCategory.Other,
        ["K8S_ExposedPostgresBroadIPRange"] = AlertCategory.Other,
        ["K8S_TI_Proxy"] = AlertCategory.Other,
        ["K8S_DeleteEvents"] = AlertCategory.Other,
        ["K8S_AdmissionController"] = AlertCategory.Other,
        ["K8S_KubeSystemContainer"] = AlertCategory.Other,
        ["K8S_HighPrivilegesRole"] = AlertCategory.Other,
        ["K8S_ClusterAdminBinding"] = AlertCategory.Other,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Keywords looked for (case-insensitive) in a Defender alert type and display name when the type is not in
    /// <see cref="DefenderAlertTypes"/>; the first match in this order wins.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, AlertCategory>> DefenderKeywords { get; } =
    [
        new("ReverseShell", AlertCategory.ReverseShell),
        new("reverse shell", AlertCategory.ReverseShell),
        new("Breakout", AlertCategory.ContainerEscape),
        new("Escape", AlertCategory.ContainerEscape),
        new("Privileged", AlertCategory.ContainerEscape),
        new("SensitiveMount", AlertCategory.ContainerEscape),
        new("Mining", AlertCategory.CryptoMining),
        new("Miner", AlertCategory.CryptoMining),
        new("Malware", AlertCategory.Malware),
        new("Malicious", AlertCategory.Malware),
        new("WebShell", AlertCategory.Malware),
        new("Drift", AlertCategory.AbnormalProcess),
        new("Process", AlertCategory.AbnormalProcess),
        new("Tampering", AlertCategory.FileTampering),
        new("FileModification", AlertCategory.FileTampering),
        new("Scan", AlertCategory.LateralMovement),
        new("Imds", AlertCategory.LateralMovement),
        new("metadata service", AlertCategory.LateralMovement),
    ];

    /// <summary>Defender / Sentinel <c>intent</c> (MITRE tactic names), the last fallback; reasoning as for <see cref="MitreTactics"/>.</summary>
    public static FrozenDictionary<string, AlertCategory> DefenderIntents { get; } = new Dictionary<string, AlertCategory>
    {
        ["PrivilegeEscalation"] = AlertCategory.ContainerEscape,
        ["CommandAndControl"] = AlertCategory.ReverseShell,
        ["CredentialAccess"] = AlertCategory.LateralMovement,
        ["LateralMovement"] = AlertCategory.LateralMovement,
        ["Discovery"] = AlertCategory.LateralMovement,
        ["Execution"] = AlertCategory.AbnormalProcess,
        ["Persistence"] = AlertCategory.FileTampering,
        ["DefenseEvasion"] = AlertCategory.FileTampering,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Which category an incident with several alerts takes, most urgent first: the ones playbooks isolate at
    /// any severity, then malware (its event must stay open), then the rest. Severity alone would let a High
    /// file-tampering alert hide a Medium reverse shell.
    /// </summary>
    public static IReadOnlyList<AlertCategory> IncidentPrecedence { get; } =
    [
        AlertCategory.ContainerEscape,
        AlertCategory.ReverseShell,
        AlertCategory.Malware,
        AlertCategory.CryptoMining,
        AlertCategory.LateralMovement,
        AlertCategory.HighRiskSyscall,
        AlertCategory.AbnormalProcess,
        AlertCategory.FileTampering,
        AlertCategory.Other,
    ];

    /// <summary>Category of a Falco event: rule name, else the first mapped <c>mitre_*</c> tag, else other.</summary>
    public static AlertCategory ForFalco(string? rule, IReadOnlyCollection<string> tags)
    {
        if (rule is not null && FalcoRules.TryGetValue(rule.Trim(), out var category))
        {
            return category;
        }

        foreach (var (tactic, mapped) in MitreTactics)
        {
            if (tags.Any(tag => string.Equals(tag, "mitre_" + tactic, StringComparison.OrdinalIgnoreCase)))
            {
                return mapped;
            }
        }

        return AlertCategory.Other;
    }

    /// <summary>Category of a Defender alert: exact type, else keywords in type and name, else intent, else other.</summary>
    public static AlertCategory ForDefender(string? alertType, string? displayName, string? intent)
    {
        if (alertType is not null && DefenderAlertTypes.TryGetValue(alertType.Trim(), out var category))
        {
            return category;
        }

        var text = $"{alertType} {displayName}";
        foreach (var (keyword, mapped) in DefenderKeywords)
        {
            if (text.Contains(keyword, StringComparison.OrdinalIgnoreCase))
            {
                return mapped;
            }
        }

        // Intent may list several tactics, spelled either way ("Execution, Command And Control"); the first
        // mapped one wins.
        foreach (var tactic in (intent ?? string.Empty).Split([',', ';'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (DefenderIntents.TryGetValue(tactic.Replace(" ", string.Empty, StringComparison.Ordinal), out var mapped))
            {
                return mapped;
            }
        }

        return AlertCategory.Other;
    }
}
