using System.Diagnostics;
using System.Globalization;

namespace Containment.Runs.Embedded;

/// <summary>
/// A host that holds (or held) the runtime's tables: its machine, its process and that process's start, and the
/// runtime instance in it (a process may start a host again after disposing one).
/// </summary>
public sealed record LeaseHolder(string Machine, int ProcessId, DateTimeOffset ProcessStarted, string Instance)
{
    public static LeaseHolder ThisProcess()
    {
        using var process = Process.GetCurrentProcess();
        return new LeaseHolder(Environment.MachineName, Environment.ProcessId, process.StartTime.ToUniversalTime(), Guid.NewGuid().ToString("N"));
    }

    /// <summary>
    /// Whether the holder is known to be gone: a process of this machine that no longer runs (or a newer one under its
    /// id), or a runtime of this process that gave up or was disposed. A holder on another machine cannot be judged:
    /// only the lapse of its lease says it is gone.
    /// </summary>
    public bool IsGone(LeaseHolder self, IReadOnlySet<string> liveInstancesHere)
    {
        if (!string.Equals(Machine, self.Machine, StringComparison.Ordinal))
        {
            return false;
        }

        if (ProcessId == self.ProcessId)
        {
            return !liveInstancesHere.Contains(Instance);
        }

        try
        {
            using var process = Process.GetProcessById(ProcessId);
            return (process.StartTime.ToUniversalTime() - ProcessStarted).Duration() > TimeSpan.FromSeconds(1);
        }
        catch (ArgumentException)
        {
            return true;
        }
        catch (InvalidOperationException)
        {
            // The process exited while it was looked at.
            return true;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Its start cannot be read: it runs, as another user's.
            return false;
        }
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"process {ProcessId} on {Machine}, started {ProcessStarted:u}");
}
