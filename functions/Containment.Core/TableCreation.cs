using Azure.Data.Tables;

namespace Containment;

/// <summary>Creates a set of tables once, on first use; if creating fails, the next use tries again.</summary>
public sealed class TableCreation(params TableClient[] tables) : IDisposable
{
    private readonly SemaphoreSlim creating = new(1, 1);
    private volatile bool created;

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (created)
        {
            return;
        }

        await creating.WaitAsync(cancellationToken);
        try
        {
            foreach (var table in tables.Where(_ => !created))
            {
                await table.CreateIfNotExistsAsync(cancellationToken);
            }

            created = true;
        }
        finally
        {
            creating.Release();
        }
    }

    public void Dispose() => creating.Dispose();
}
