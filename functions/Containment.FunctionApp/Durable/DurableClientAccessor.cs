using Microsoft.DurableTask.Client;

namespace Containment.FunctionApp.Durable;

/// <summary>
/// The Durable client of the function invocation in progress. The isolated worker hands the client to each
/// function as a binding, not through DI, so each function sets it here before calling the Core handlers.
/// </summary>
public sealed class DurableClientAccessor
{
    // One accessor per host (a singleton); the value flows with each invocation's async context.
    private readonly AsyncLocal<DurableTaskClient?> current = new();

    public DurableTaskClient Client
    {
        get => current.Value ?? throw new InvalidOperationException("no Durable client in this invocation: the function must take [DurableClient] and set it");
        set => current.Value = value;
    }
}
