using Containment.Api;
using Containment.Ledger;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Containment.Runs.Embedded;

public static class EmbeddedRuntimeServiceCollectionExtensions
{
    /// <summary>The embedded durable runtime as <see cref="IPlaybookRuntime"/>, recovering unfinished runs at start (until storage answers) and reporting that in health.</summary>
    public static IServiceCollection AddEmbeddedPlaybookRuntime(this IServiceCollection services)
    {
        services.AddOptions<EmbeddedRuntimeOptions>().BindConfiguration(EmbeddedRuntimeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRuntimeGate, OpenRuntimeGate>();
        services.AddSingleton<RunStore>();

        // This process drives every run from here on (see JoinedEventMarks).
        services.Replace(ServiceDescriptor.Singleton(provider => JoinedEventMarks.OneProcess(provider.GetRequiredService<TimeProvider>())));
        services.AddSingleton<ActivityInvoker>();
        services.AddSingleton<EmbeddedRuntime>();
        services.AddSingleton<IPlaybookRuntime>(provider => provider.GetRequiredService<EmbeddedRuntime>());
        services.AddSingleton<RuntimeRecovery>();
        services.AddHostedService(provider => provider.GetRequiredService<RuntimeRecovery>());
        services.AddSingleton<IHealthReporter>(provider => provider.GetRequiredService<RuntimeRecovery>());
        return services;
    }

    /// <summary>
    /// The runtime's tables held by one host at a time (<see cref="RuntimeLease"/>): for a host that may meet another on
    /// the same tables, as the local host may.
    /// </summary>
    public static IServiceCollection AddRuntimeLease(this IServiceCollection services)
    {
        services.AddSingleton<RuntimeLease>();
        services.Replace(ServiceDescriptor.Singleton<IRuntimeGate>(provider => provider.GetRequiredService<RuntimeLease>()));
        return services;
    }
}
