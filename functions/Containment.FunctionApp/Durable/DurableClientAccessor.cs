using Microsoft.DurableTask.Client;

namespace Containment.FunctionApp.Durable;

/// <summary>
/// The Durable client of the function invocation in progress. The isolated worker hands the client to each
/// function as a binding, not through DI, so each function sets it here before calling the Core handlers.
/// </summary>
public sealed class DurableClientAccessor
{
    private static readonly AsyncLocal<DurableTaskClient?> Current = new();

    public DurableTaskClient Client
    {
        get => Current.Value ?? throw new InvalidOperationException("no Durable client in this invocation: the function must take [DurableClient] and set it");
        set => Current.Value = value;
    }
}
