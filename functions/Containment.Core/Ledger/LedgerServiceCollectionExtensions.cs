using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Containment.Ledger;

public static class LedgerServiceCollectionExtensions
{
    /// <summary>The ledger over the <c>TableServiceClient</c> registered by the host (from <c>AzureWebJobsStorage</c>).</summary>
    public static IServiceCollection AddLedger(this IServiceCollection services)
    {
        services.AddOptions<LedgerOptions>().BindConfiguration(LedgerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<LedgerTables>();
        services.AddSingleton<IsolationLedger>();
        services.AddSingleton<SecurityEventLedger>();
        services.TryAddSingleton(JoinedEventMarks.Shared());
        services.AddSingleton<JoinedEventLedger>();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<PoisonStore>();
        return services;
    }
}
