using System.Net;
using System.Net.Sockets;
using Containment.Local.Hosting;
using Containment.Tests.Support;

namespace Containment.Tests.Hosting;

/// <summary>Child servers on picked ports: ready only on their own word, started again when a port was taken first.</summary>
public sealed class PortBoundProcessTests
{
    private static readonly string Azurite = AzuriteServer.Executable(RepositoryRoot.Path);

    [Fact]
    public async Task APortTakenBeforeAzuriteBindsIt_AzuriteStartsAgainOnAnother_AndItIsAzuriteThatAnswers()
    {
        // Another listener on the first port picked: a probe of that port would take it for Azurite.
        using var other = new TcpListener(IPAddress.Loopback, 0);
        other.Start();
        var taken = ((IPEndPoint)other.LocalEndpoint).Port;
        var picks = new Queue<int>([taken]);

        await using var azurite = await PortBoundProcess.StartAsync(
            "Azurite", Azurite, portCount: 1, AzuriteServer.Arguments, [AzuriteServer.ReadyLine],
            () => picks.TryDequeue(out var port) ? port : FreePort.Next(), CancellationToken.None);

        Assert.NotEqual(taken, azurite.Ports[0]);
        using var client = new HttpClient();
        using var answer = await client.GetAsync(new Uri($"http://127.0.0.1:{azurite.Ports[0]}/devstoreaccount1/Tables"));
        Assert.StartsWith("Azurite-Table", answer.Headers.Server.ToString(), StringComparison.Ordinal);

        // Stopped, it no longer answers; stopping it again (as an await using does after a test's own stop) is no error.
        await azurite.DisposeAsync();
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri($"http://127.0.0.1:{azurite.Ports[0]}/devstoreaccount1/Tables")));
    }

    [Fact]
    public async Task EveryPortPickedIsTaken_TheStartFailsAfterFiveTries_SayingThePortWasInUse()
    {
        using var other = new TcpListener(IPAddress.Loopback, 0);
        other.Start();
        var taken = ((IPEndPoint)other.LocalEndpoint).Port;
        var picked = 0;

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => PortBoundProcess.StartAsync(
            "listener", "node", portCount: 1, NodeListenerOn, ["listening"], () => { picked++; return taken; }, CancellationToken.None));

        Assert.Equal(5, picked);
        Assert.StartsWith($"listener exited before it listened on ports {taken}; it said: ", failure.Message, StringComparison.Ordinal);
        Assert.Contains("EADDRINUSE", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerThatExitsForAnotherReason_FailsAtOnce_SayingWhatItSaid()
    {
        var picked = 0;

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => PortBoundProcess.StartAsync(
            "broken", "/bin/sh", portCount: 1, _ => ["-c", "echo 'no such option' >&2; exit 3"], ["listening"], () => { picked++; return FreePort.Next(); }, CancellationToken.None));

        Assert.Equal(1, picked);
        Assert.EndsWith("; it said: no such option", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerIsReadyOnlyOnceItHasSaidEveryReadyLine_InAnyOrder()
    {
        // The script says its first line, marks that it has, and says the second only once the test lets it.
        var said = Path.Combine(Path.GetTempPath(), $"said-{Guid.NewGuid():N}");
        var gate = Path.Combine(Path.GetTempPath(), $"gate-{Guid.NewGuid():N}");
        var starting = PortBoundProcess.StartAsync(
            "two servers", "/bin/sh", portCount: 2,
            ports => ["-c", $"echo 'web on {ports[1]}'; touch '{said}'; while [ ! -e '{gate}' ]; do sleep 0.05; done; echo 'smtp on {ports[0]}'; exec sleep 600"],
            ["smtp on", "web on"], CancellationToken.None);
        bool waitedAfterTheFirst;
        try
        {
            await RealTimeLimit.UntilAsync(() => File.Exists(said), "the script did not say its first line");

            // Its output reaches the reader a moment after the mark: time for a start that took one line as enough to end.
            await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System);
            waitedAfterTheFirst = !starting.IsCompleted;
        }
        finally
        {
            await File.WriteAllTextAsync(gate, "");
        }

        await using var servers = await starting.WaitAsync(RealTimeLimit.Patience);
        File.Delete(said);
        File.Delete(gate);

        Assert.True(waitedAfterTheFirst, "the start was over before the second ready line");
        Assert.Equal(2, servers.Ports.Distinct().Count());
    }

    [Fact]
    public async Task TwoPortsPickedAlike_TheServerIsGivenTwoDistinctOnes()
    {
        var picks = new Queue<int>([41001, 41001, 41002]);

        await using var server = await PortBoundProcess.StartAsync(
            "two servers", "/bin/sh", portCount: 2, ports => ["-c", $"echo 'on {ports[0]} and {ports[1]}'; exec sleep 600"], ["on "],
            picks.Dequeue, CancellationToken.None);

        Assert.Equal([41001, 41002], server.Ports);
    }

    private static string[] NodeListenerOn(IReadOnlyList<int> ports) =>
        ["-e", $"require('net').createServer().listen({ports[0]}, '127.0.0.1', () => console.log('listening'))"];
}
