using System.Diagnostics;
using Azure.Data.Tables;
using Containment.Runs.Embedded;
using Containment.Tests.Support;
using Containment.Tests.Notifications;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Containment.Tests.Runs;

/// <summary>One host at a time holds a runtime's tables, against Azurite: who may take them over, and when.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RuntimeLeaseTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Term = TimeSpan.FromSeconds(30);

    // A sixth of the term: the holder's gate closes this long before its term ends, and another host waits this long past it.
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    // The lease's row, as the path of a request that writes it ends.
    private const string LeaseRowPath = "(PartitionKey='runtime',RowKey='lease')";

    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 24, 3, 0, 0, TimeSpan.Zero));
    private readonly string prefix = AzuriteFixture.NewTablePrefix();

    [Fact]
    public async Task SecondHost_IsRefusedNamingTheHolder_UntilTheFirstGivesUp_ThenOpensOnceItHasPickedTheRunsUp()
    {
        using var first = Lease(out _);
        using var second = Lease(out _);

        var firstTakes = await first.AcquireAsync(CancellationToken.None);
        var firstClosed = first.Closed;
        var secondRefused = await second.AcquireAsync(CancellationToken.None);
        var closedWhileRefused = second.Closed;
        var waiting = second.WhenOpenAsync(CancellationToken.None);
        var openedWhileRefused = waiting.IsCompleted;
        await first.GiveUpAsync(CancellationToken.None);
        var secondTakes = await second.AcquireAsync(CancellationToken.None);
        var closedUntilPickedUp = second.Closed;
        var openedBeforePickUp = waiting.IsCompleted;
        var due = second.PickUpDue;
        second.PickedUp(due!.Value);

        Assert.Null(firstTakes);
        Assert.Null(firstClosed);
        Assert.Equal($"another host holds the runtime's tables ({first.Self}) until {time.GetUtcNow() + Term:u}", secondRefused);
        Assert.Equal(secondRefused, closedWhileRefused);
        Assert.False(openedWhileRefused);
        Assert.Null(secondTakes);

        // The first host drove runs while the second waited: the second's gate opens only once it has picked them up.
        Assert.Equal("it took the runtime's tables after another host held them, and picks their runs up again first", closedUntilPickedUp);
        Assert.False(openedBeforePickUp);
        Assert.Null(second.Closed);
        Assert.Null(second.PickUpDue);
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("it is stopping", first.Closed);
    }

    [Fact]
    public async Task HolderInThisProcessDisposedWithoutGivingUp_IsTakenAtOnce()
    {
        var first = Lease(out _);
        using var second = Lease(out _);
        await first.AcquireAsync(CancellationToken.None);

        first.Dispose();
        var taken = await second.AcquireAsync(CancellationToken.None);

        Assert.Null(taken);
    }

    [Fact]
    public async Task HolderOnAnotherMachine_IsTakenOnlyOnceItsLeaseHasLapsedByTheMargin()
    {
        using var lease = Lease(out _);
        await WriteHolderAsync(new LeaseHolder("elsewhere", 4242, time.GetUtcNow().AddHours(-1), "their-runtime"), time.GetUtcNow() + Term);

        var refused = await lease.AcquireAsync(CancellationToken.None);
        time.Advance(Term + Margin - Tick);
        var refusedWithinTheMargin = await lease.AcquireAsync(CancellationToken.None);
        time.Advance(Tick);
        var taken = await lease.AcquireAsync(CancellationToken.None);

        Assert.Equal(Margin, lease.Margin);
        Assert.StartsWith("another host holds the runtime's tables (process 4242 on elsewhere, started ", refused, StringComparison.Ordinal);
        Assert.Equal(refused, refusedWithinTheMargin);
        Assert.Null(taken);
    }

    [Fact]
    public async Task HolderProcessGoneOnThisMachine_IsTakenAtOnce()
    {
        // A host killed with SIGKILL and started again finds its own lease, held for half a minute more.
        using var lease = Lease(out _);
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await gone.WaitForExitAsync();
        await WriteHolderAsync(new LeaseHolder(Environment.MachineName, gone.Id, time.GetUtcNow().AddMinutes(-1), "killed-runtime"), time.GetUtcNow() + Term);

        var taken = await lease.AcquireAsync(CancellationToken.None);

        Assert.Null(taken);
    }

    [Fact]
    public async Task LeaseTakenFromAHost_ClosesItsGateAndStopsIt()
    {
        using var lease = Lease(out var lifetime);
        await lease.AcquireAsync(CancellationToken.None);
        await using var keeping = new Keeping(lease);

        // Another host took the row over (this one was frozen past its term, say).
        await WriteHolderAsync(new LeaseHolder("elsewhere", 4242, time.GetUtcNow(), "their-runtime"), time.GetUtcNow() + Term);
        var limit = RealTimeLimit.Start();
        while (!lifetime.ApplicationStopping.IsCancellationRequested)
        {
            limit.Check("the host was not stopped");
            time.Advance(Term / 3);
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }

        await keeping.StopAsync();

        Assert.StartsWith("another host holds the runtime's tables (process 4242 on elsewhere, started ", lease.Closed, StringComparison.Ordinal);
        Assert.False(lease.WhenOpenAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task StorageSilentPastTheTerm_ClosesTheGate_AndTheHoldResumesOnceItAnswers()
    {
        using var relay = new CuttableRelay(azurite.Port);
        using var logs = new RecordingLoggerProvider();
        using var lease = LeaseThrough(relay, out var lifetime, logs);
        await lease.AcquireAsync(CancellationToken.None);
        await using var keeping = new Keeping(lease);

        relay.Cut();
        var lapsed = await TicksUntilAsync(() => lease.Closed is not null);
        var closedWhileSilent = lease.Closed;
        relay.RelayTo(azurite.Port);
        var resumed = await TicksUntilAsync(() => lease.Closed is null);
        await keeping.StopAsync();

        // Renewed every 10 s of a 30 s term: the third renewal that storage does not answer finds the hold lapsed.
        Assert.Equal(3, lapsed);
        Assert.Equal("its lease of the runtime's tables lapsed while storage did not answer", closedWhileSilent);
        Assert.InRange(resumed, 1, 2);
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested);

        // The outage is told once as it starts, once as the gate closes, and once as it ends, not once a renewal.
        var failed = logs.Entries.Count(entry => entry.Line.StartsWith("Renewing the lease of the runtime's tables failed;", StringComparison.Ordinal));
        Assert.InRange(failed, 3, 6);
        Assert.Collection(
            logs.Entries.Where(entry => entry.Level >= LogLevel.Information),
            entry => Assert.Equal((LogLevel.Warning, true), (entry.Level, entry.Line.StartsWith("Renewing the lease of the runtime's tables failed;", StringComparison.Ordinal))),
            entry => Assert.Equal((LogLevel.Warning, true), (entry.Level, entry.Line.StartsWith("The lease of the runtime's tables, held until ", StringComparison.Ordinal))),
            entry => Assert.Equal((LogLevel.Information, $"Renewed the lease of the runtime's tables after {failed} renewals failed"), entry));
    }

    [Fact]
    public async Task StorageSilentPastTheTerm_AnotherHostTookTheTablesMeanwhile_StopsRatherThanResumes()
    {
        // This host cannot reach storage; the other can, finds the lease lapsed and takes the tables. Once this host
        // reaches storage again it must not act beside the other: it stops.
        using var relay = new CuttableRelay(azurite.Port);
        using var lease = LeaseThrough(relay, out var lifetime);
        await lease.AcquireAsync(CancellationToken.None);
        await using var keeping = new Keeping(lease);

        relay.Cut();
        await TicksUntilAsync(() => lease.Closed is not null);
        var other = new LeaseHolder("elsewhere", 4242, time.GetUtcNow(), "their-runtime");
        var otherUntil = time.GetUtcNow() + Term;
        await WriteHolderAsync(other, otherUntil);
        relay.RelayTo(azurite.Port);
        await TicksUntilAsync(() => lifetime.ApplicationStopping.IsCancellationRequested);
        await keeping.StopAsync();

        Assert.True(lifetime.ApplicationStopping.IsCancellationRequested);
        Assert.Equal($"another host holds the runtime's tables ({other}) until {otherUntil:u}", lease.Closed);
        Assert.False(lease.WhenOpenAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task StorageNeverAnswersTheRenewals_GateClosesAMarginBeforeTheTermEnds_AnotherHostTakesAMarginAfterIt()
    {
        // Packets dropped: the renewals hang rather than fail. The host drives nothing from the moment its term, less the
        // margin, has passed, whatever its renewal is doing; the other host takes the tables only a margin past the term.
        using var relay = new CuttableRelay(azurite.Port);
        using var lease = LeaseThrough(relay, out var lifetime);
        using var other = Lease(out _);
        await lease.AcquireAsync(CancellationToken.None);
        var termEnds = time.GetUtcNow() + Term;
        await using var keeping = new Keeping(lease);

        relay.Silence();
        time.Advance(Term / 3);
        await UntilAsync(() => relay.Swallowed > 0);
        time.SetUtcNow(termEnds - Margin - Tick);
        var closedJustBefore = lease.Closed;
        time.Advance(Tick);
        var closedAt = lease.Closed;
        var opened = lease.WhenOpenAsync(CancellationToken.None);
        var otherRefusedAtTheTerm = await AcquireAtAsync(other, termEnds);
        var otherRefusedJustBefore = await AcquireAtAsync(other, termEnds + Margin - Tick);
        var otherTakes = await AcquireAtAsync(other, termEnds + Margin);
        var closedWhenTaken = lease.Closed;
        await keeping.StopAsync();

        Assert.Null(closedJustBefore);
        Assert.Equal("its lease of the runtime's tables lapsed while storage did not answer", closedAt);
        Assert.False(opened.IsCompleted);
        Assert.StartsWith($"another host holds the runtime's tables ({lease.Self}) until ", otherRefusedAtTheTerm, StringComparison.Ordinal);
        Assert.StartsWith($"another host holds the runtime's tables ({lease.Self}) until ", otherRefusedJustBefore, StringComparison.Ordinal);
        Assert.Null(otherTakes);
        Assert.Equal(closedAt, closedWhenTaken);
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested);
    }

    [Fact]
    public async Task RenewalThatHangs_IsGivenUpAtItsDeadline_AndTheNextGoesOutAtOnce_SoTheGateStaysOpen()
    {
        // A third of the term for each renewal, renewals a third of the term apart from start to start: one renewal that
        // never gets an answer (the SDK's own timeout is 100 s) leaves the next in time to keep the gate open.
        using var relay = new CuttableRelay(azurite.Port);
        using var lease = LeaseThrough(relay, out _);
        await lease.AcquireAsync(CancellationToken.None);
        var takenAt = time.GetUtcNow();
        await using var keeping = new Keeping(lease);

        relay.Silence();
        time.Advance(Term / 3);
        await UntilAsync(() => relay.Swallowed > 0);
        relay.RelayTo(azurite.Port);
        time.Advance(Term / 3);
        var closedWhenTheFirstTermWouldHaveEnded = await ClosedWhenTheFirstTermWouldHaveEndedAsync(lease, takenAt, renewedAt: takenAt + (Term / 3 * 2));
        await keeping.StopAsync();

        Assert.Null(closedWhenTheFirstTermWouldHaveEnded);
    }

    [Fact]
    public async Task RenewalThatFails_IsTriedAgainATenthOfTheIntervalLater_SoStoragesReturnRenewsTheHoldWithinASecond()
    {
        // Waiting for the next tick would leave one try, 5 s before the gate closes; a host whose hold lapsed would
        // take alerts again only up to 10 s after storage came back.
        using var relay = new CuttableRelay(azurite.Port);
        using var lease = LeaseThrough(relay, out _);
        await lease.AcquireAsync(CancellationToken.None);
        var takenAt = time.GetUtcNow();
        await using var keeping = new Keeping(lease);

        relay.Cut();
        time.Advance(Term / 3);
        await UntilAsync(() => relay.Refused > 0);
        relay.RelayTo(azurite.Port);
        time.Advance(Term / 30);
        var closedWhenTheFirstTermWouldHaveEnded = await ClosedWhenTheFirstTermWouldHaveEndedAsync(lease, takenAt, renewedAt: takenAt + (Term / 3) + (Term / 30));
        await keeping.StopAsync();

        Assert.Null(closedWhenTheFirstTermWouldHaveEnded);
    }

    [Fact]
    public async Task RenewalLandedButItsAnswerWasLost_TheSdksRetryMeetsItsOwnWrite_TheTablesAreKept()
    {
        // The renewal's write lands and its answer is lost; the SDK tries it again with the ETag the row had, and meets
        // the renewal's own write (412). No other host holds the tables: this one goes on holding them, and its next
        // renewal goes through.
        var lostAnswer = new AnswerLostOnce(LeaseRowPath, armed: false);
        using var lease = LeaseLosing(lostAnswer, out var lifetime);
        await lease.AcquireAsync(CancellationToken.None);
        var takenAt = time.GetUtcNow();
        await using var keeping = new Keeping(lease);

        lostAnswer.Arm();
        time.Advance(Term / 3);
        var firstRenewalUntil = takenAt + (Term / 3) + Term;
        await UntilAsync(() => lease.OpenUntil == firstRenewalUntil - Margin || lifetime.ApplicationStopping.IsCancellationRequested);
        var closedAfterTheLostAnswer = lease.Closed;
        var stoppedAfterTheLostAnswer = lifetime.ApplicationStopping.IsCancellationRequested;
        time.Advance(Term / 3);
        var secondRenewalUntil = takenAt + (Term / 3 * 2) + Term;
        await UntilAsync(async () => await HeldUntilAsync() == secondRenewalUntil || lifetime.ApplicationStopping.IsCancellationRequested);
        await UntilAsync(() => lease.OpenUntil == secondRenewalUntil - Margin || lifetime.ApplicationStopping.IsCancellationRequested);
        await keeping.StopAsync();

        Assert.Equal(1, lostAnswer.Lost);
        Assert.Null(closedAfterTheLostAnswer);
        Assert.False(stoppedAfterTheLostAnswer);
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested);
        Assert.Equal(secondRenewalUntil, await HeldUntilAsync());
    }

    [Fact]
    public async Task GiveUp_OfALeaseNeverTaken_LeavesTheHoldersRow()
    {
        using var holder = Lease(out _);
        using var standby = Lease(out _);
        await holder.AcquireAsync(CancellationToken.None);
        await standby.AcquireAsync(CancellationToken.None);

        await standby.GiveUpAsync(CancellationToken.None);
        var third = Lease(out _);
        var refused = await third.AcquireAsync(CancellationToken.None);
        third.Dispose();

        Assert.StartsWith($"another host holds the runtime's tables ({holder.Self})", refused, StringComparison.Ordinal);
    }

    /// <summary>Tries to take the tables with the clock set to <paramref name="at"/>.</summary>
    private async Task<string?> AcquireAtAsync(RuntimeLease lease, DateTimeOffset at)
    {
        time.SetUtcNow(at);
        return await lease.AcquireAsync(CancellationToken.None);
    }

    /// <summary>Waits, on real time, until what storage or the relay does makes <paramref name="done"/> hold.</summary>
    private static async Task UntilAsync(Func<bool> done) => await UntilAsync(() => Task.FromResult(done()));

    private static async Task UntilAsync(Func<Task<bool>> done)
    {
        for (var wait = 0; wait < 1000; wait++)
        {
            if (await done())
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
        }

        throw new TimeoutException("the condition did not come within 10 s");
    }

    /// <summary>
    /// Waits until the renewal made at <paramref name="renewedAt"/> has reached the row and the lease; then what the gate
    /// says when the term taken at <paramref name="takenAt"/>, less the margin, ends.
    /// </summary>
    private async Task<string?> ClosedWhenTheFirstTermWouldHaveEndedAsync(RuntimeLease lease, DateTimeOffset takenAt, DateTimeOffset renewedAt)
    {
        await UntilAsync(async () => await HeldUntilAsync() == renewedAt + Term);

        // The row is written before the renewal's answer reaches the lease.
        await UntilAsync(() => lease.OpenUntil == renewedAt + Term - Margin);
        time.SetUtcNow(takenAt + Term - Margin);
        return lease.Closed;
    }

    /// <summary>Until when the lease row says the tables are held.</summary>
    private async Task<DateTimeOffset?> HeldUntilAsync()
    {
        var row = await new TableServiceClient(azurite.ConnectionString).GetTableClient(prefix + "Runs").GetEntityAsync<TableEntity>("runtime", "lease");
        return row.Value.GetDateTimeOffset("Until");
    }

    /// <summary>Keeps the lease as a host does until stopped; there is no runtime here, so runs to pick up again are picked up at once.</summary>
    private sealed class Keeping : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly Task keeping;

        public Keeping(RuntimeLease lease) => keeping = lease.KeepAsync(
            _ =>
            {
                if (lease.PickUpDue is { } take)
                {
                    lease.PickedUp(take);
                }

                return Task.CompletedTask;
            },
            stop.Token);

        public async Task StopAsync()
        {
            await stop.CancelAsync();
            await keeping;
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            stop.Dispose();
        }
    }

    /// <summary>Moves time on a renewal's interval at a time until <paramref name="done"/> holds; how many intervals that took.</summary>
    private async Task<int> TicksUntilAsync(Func<bool> done)
    {
        for (var ticks = 1; ticks <= 20; ticks++)
        {
            time.Advance(Term / 3);

            // The renewal the tick wakes goes to storage on real time.
            for (var wait = 0; wait < 100 && !done(); wait++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
            }

            if (done())
            {
                return ticks;
            }
        }

        throw new TimeoutException("the lease did not change in 20 renewal intervals");
    }

    private RuntimeLease Lease(out ApplicationLifetime lifetime, TableServiceClient? service = null, ILoggerProvider? logs = null)
    {
        lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        var options = Options.Create(new EmbeddedRuntimeOptions { TablePrefix = prefix, LeaseTerm = Term });
        return new RuntimeLease(
            new RunStore(service ?? new TableServiceClient(azurite.ConnectionString), options, time),
            options,
            time,
            lifetime,
            logs is null ? NullLogger<RuntimeLease>.Instance : new Logger<RuntimeLease>(new LoggerFactory([logs])));
    }

    /// <summary>A lease whose storage is reached through <paramref name="relay"/>, with no SDK retries: each renewal is one try.</summary>
    private RuntimeLease LeaseThrough(CuttableRelay relay, out ApplicationLifetime lifetime, ILoggerProvider? logs = null)
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        return Lease(out lifetime, new TableServiceClient(relay.AzuriteConnectionString, options), logs);
    }

    /// <summary>A lease whose storage requests pass <paramref name="policy"/> on every try, with the SDK's retries close together.</summary>
    private RuntimeLease LeaseLosing(Azure.Core.Pipeline.HttpPipelinePolicy policy, out ApplicationLifetime lifetime)
    {
        var options = new TableClientOptions();
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.AddPolicy(policy, Azure.Core.HttpPipelinePosition.PerRetry);
        return Lease(out lifetime, new TableServiceClient(azurite.ConnectionString, options));
    }

    private async Task WriteHolderAsync(LeaseHolder holder, DateTimeOffset until)
    {
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(prefix + "Runs");
        await table.CreateIfNotExistsAsync();
        await table.UpsertEntityAsync(new TableEntity("runtime", "lease")
        {
            [nameof(LeaseHolder.Machine)] = holder.Machine,
            [nameof(LeaseHolder.ProcessId)] = holder.ProcessId,
            [nameof(LeaseHolder.ProcessStarted)] = holder.ProcessStarted,
            [nameof(LeaseHolder.Instance)] = holder.Instance,
            ["Until"] = until,
        }, TableUpdateMode.Replace);
    }
}
