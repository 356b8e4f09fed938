namespace Containment.Tests.Runs;

/// <summary>Names of shipped playbooks the run tests drive.</summary>
internal static class ShippedPlaybookNames
{
    /// <summary>Isolate at once, notify, ask for approval to release.</summary>
    public const string Escape = "isolate-escape-reverse-shell";
}
