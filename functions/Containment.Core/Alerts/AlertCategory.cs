namespace Containment.Alerts;

/// <summary>What kind of threat an alert reports. On the wire these are kebab-case (<c>container-escape</c>).</summary>
public enum AlertCategory
{
    ContainerEscape,
    ReverseShell,
    AbnormalProcess,
    FileTampering,
    HighRiskSyscall,
    Malware,
    LateralMovement,
    CryptoMining,
    Other,
}
