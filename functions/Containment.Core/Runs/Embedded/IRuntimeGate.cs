namespace Containment.Runs.Embedded;

/// <summary>
/// Whether this process may take and drive runs now. Where several processes could share the runtime's tables, only the
/// one holding them (<see cref="RuntimeLease"/>) may: two would both act on a run.
/// </summary>
public interface IRuntimeGate
{
    /// <summary>Why this process may not take or drive runs now; null when it may.</summary>
    string? Closed { get; }

    /// <summary>Completes once this process may drive runs.</summary>
    Task WhenOpenAsync(CancellationToken cancellationToken);
}

/// <summary>The gate of a runtime that does not share its tables: always open.</summary>
internal sealed class OpenRuntimeGate : IRuntimeGate
{
    public string? Closed => null;

    public Task WhenOpenAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A run was asked for while this process does not hold the runtime's tables: the caller is to try again (503).</summary>
public sealed class RuntimeClosedException(string reason) : Exception($"this host does not take or drive runs now: {reason}");
