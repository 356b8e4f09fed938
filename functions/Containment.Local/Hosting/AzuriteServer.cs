using System.Globalization;

namespace Containment.Local.Hosting;

/// <summary>Azurite's table service from the repository's node_modules, on a free loopback port, in memory (tests and the demo).</summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly PortBoundProcess server;

    private AzuriteServer(PortBoundProcess server) => this.server = server;

    public int Port => server.Ports[0];

    /// <summary>Azurite's node process: its main thread runs every request, one at a time.</summary>
    public int ProcessId => server.ProcessId;

    /// <summary>The CPU time Azurite has used so far (benchmarks tell its share of the work from the product's).</summary>
    public TimeSpan ProcessorTime => server.ProcessorTime;

    public string ConnectionString => ConnectionStringOn(Port);

    /// <summary>The connection string of an Azurite on <paramref name="port"/>, which may start later.</summary>
    public static string ConnectionStringOn(int port) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";

    public static async Task<AzuriteServer> StartAsync(string repositoryRoot, CancellationToken cancellationToken = default)
    {
        var executable = Executable(repositoryRoot);
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"{executable} is missing: run ./test.sh, which installs Azurite");
        }

        return new AzuriteServer(await PortBoundProcess.StartAsync("Azurite", executable, portCount: 1, Arguments, [ReadyLine], cancellationToken));
    }

    /// <summary>Azurite's executable in a checkout.</summary>
    internal static string Executable(string repositoryRoot) => Path.Combine(repositoryRoot, "node_modules", ".bin", "azurite-table");

    /// <summary>Printed once its listen has succeeded; with the port asked for, so port 0 would not tell where.</summary>
    internal const string ReadyLine = "Azurite Table service successfully started";

    internal static string[] Arguments(IReadOnlyList<int> ports) =>
        ["--tableHost", "127.0.0.1", "--tablePort", ports[0].ToString(CultureInfo.InvariantCulture), "--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck", "--loose"];

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
