using Azure.Data.Tables;
using Containment.Activities;
using Containment.Alerts;
using Containment.Runs;
using Containment.Runs.Embedded;
using Containment.Runs.Machine;
using Containment.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Containment.Tests.Runs;

/// <summary>
/// An embedded runtime over Azurite with scripted activities and a fake clock; with <c>lease</c>, holding its tables as
/// the local host does (<see cref="RuntimeLease"/>), or behind a <c>gate</c> of the test's.
/// </summary>
internal sealed class RuntimeHarness : IAsyncDisposable
{
    private readonly ServiceProvider services;

    public RuntimeHarness(
        string connectionString,
        string tablePrefix,
        ActivityLog? log = null,
        FakeTimeProvider? time = null,
        Azure.Core.Pipeline.HttpPipelinePolicy? storagePolicy = null,
        int? maxConcurrentRuns = null,
        bool lease = false,
        IRuntimeGate? gate = null,
        int? storageRetries = null)
    {
        Log = log ?? new ActivityLog();
        Time = time ?? new SystemLimitedTimeProvider(MachineDriver.Start);
        var settings = new Dictionary<string, string?> { ["Containment:Runtime:TablePrefix"] = tablePrefix };
        if (maxConcurrentRuns is { } slots)
        {
            settings["Containment:Runtime:MaxConcurrentRuns"] = slots.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var collection = new ServiceCollection();
        collection.AddSingleton<IConfiguration>(configuration);
        collection.AddLogging();
        collection.AddSingleton<TimeProvider>(Time);
        collection.AddSingleton<StorageOperationCounter>();
        collection.AddSingleton(provider =>
        {
            var options = new TableClientOptions();
            options.Retry.MaxRetries = storageRetries ?? options.Retry.MaxRetries;
            options.AddPolicy(provider.GetRequiredService<StorageOperationCounter>(), Azure.Core.HttpPipelinePosition.PerRetry);
            if (storagePolicy is not null)
            {
                options.AddPolicy(storagePolicy, Azure.Core.HttpPipelinePosition.PerRetry);
            }

            return new TableServiceClient(connectionString, options);
        });
        foreach (var name in new[] { ActivityNames.IsolatePod, ActivityNames.ReleasePod, ActivityNames.RequestApproval, ActivityNames.Notify, ActivityNames.SetEventStatus, ActivityNames.DeletePod, ActivityNames.CordonNode, ActivityNames.UncordonNode })
        {
            collection.AddSingleton<IRunActivity>(new ScriptedActivity(name, Log));
        }

        if (gate is not null)
        {
            collection.AddSingleton(gate);
        }

        collection.AddEmbeddedPlaybookRuntime();
        if (lease)
        {
            collection.AddSingleton<IHostApplicationLifetime>(new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance));
            collection.AddRuntimeLease();
        }

        services = collection.BuildServiceProvider();
        Runtime = services.GetRequiredService<EmbeddedRuntime>();
    }

    public ActivityLog Log { get; }

    public FakeTimeProvider Time { get; }

    public EmbeddedRuntime Runtime { get; }

    /// <summary>The start-up pick-up of unfinished runs, as the host runs it.</summary>
    public RuntimeRecovery Recovery => services.GetRequiredService<RuntimeRecovery>();

    /// <summary>The hold on the tables, with <c>lease</c>.</summary>
    public RuntimeLease Lease => services.GetRequiredService<RuntimeLease>();

    public T Get<T>()
        where T : notnull => services.GetRequiredService<T>();

    public long StorageOperations => services.GetRequiredService<StorageOperationCounter>().Count;

    public IReadOnlyDictionary<string, long> StorageOperationsByKind => services.GetRequiredService<StorageOperationCounter>().ByKind;

    /// <summary>The operations by kind since <paramref name="before"/>, kinds that did not occur left out.</summary>
    public Dictionary<string, long> StorageOperationsSince(IReadOnlyDictionary<string, long> before) =>
        StorageOperationsByKind
            .Select(kind => (kind.Key, Count: kind.Value - before.GetValueOrDefault(kind.Key)))
            .Where(kind => kind.Count > 0)
            .ToDictionary(kind => kind.Key, kind => kind.Count, StringComparer.Ordinal);

    public static string NewInstanceId() => RunInstanceId.ForTarget("prod", "payments", "api-" + Guid.NewGuid().ToString("N")[..8]);

    public Task<RunStartResult> StartAsync(string instanceId, string playbook, AlertCategory category = AlertCategory.ReverseShell) =>
        Runtime.StartAsync(instanceId, MachineDriver.Shipped(playbook), MachineDriver.Alert(category), CancellationToken.None);

    public Task<RunStartResult> StartAsync(string instanceId, Containment.Playbooks.Playbook playbook) =>
        Runtime.StartAsync(instanceId, playbook, MachineDriver.Alert(), CancellationToken.None);

    /// <summary>The insert-only start admission uses for a pod that never had a run.</summary>
    public async Task<RunStartResult?> StartNewAsync(string instanceId, string playbook) =>
        await Runtime.StartNewAsync(instanceId, MachineDriver.Shipped(playbook), MachineDriver.Alert(), CancellationToken.None);

    public async Task<RunStatusDocument> IdleStatusAsync(string instanceId)
    {
        await Runtime.WhenIdleAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return (await Runtime.GetStatusAsync(instanceId, CancellationToken.None))!;
    }

    /// <summary>
    /// Moves the fake clock forward in small steps until the next activity call comes: the runtime sets its
    /// backoff timer a moment after a failure, and a step taken before that would be missed.
    /// </summary>
    public async Task AdvanceUntilCallAsync(TimeSpan step)
    {
        for (var tries = 0; tries < 600; tries++)
        {
            if (await Log.Signal.WaitAsync(TimeSpan.FromMilliseconds(50)))
            {
                return;
            }

            Time.Advance(step);
        }

        Assert.Fail("no further activity call came");
    }

    /// <summary>Moves the fake clock to the run's wait deadline and lets the timer's work finish.</summary>
    public async Task<RunStatusDocument> PassDeadlineAsync(string instanceId)
    {
        var status = await IdleStatusAsync(instanceId);
        Assert.Equal(RunPhase.Waiting, status.Phase);
        Time.SetUtcNow(status.WaitDeadline!.Value + TimeSpan.FromSeconds(1));
        return await IdleStatusAsync(instanceId);
    }

    public ValueTask DisposeAsync() => services.DisposeAsync();
}
