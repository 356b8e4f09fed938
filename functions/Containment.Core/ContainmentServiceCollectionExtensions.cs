using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Containment.Activities;
using Containment.Alerts;
using Containment.Api;
using Containment.Approvals;
using Containment.Clusters;
using Containment.Intake;
using Containment.Isolation;
using Containment.Isolation.Drift;
using Containment.Ledger;
using Containment.Notifications;
using Containment.Playbooks;
using Containment.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Containment;

public static class ContainmentServiceCollectionExtensions
{
    /// <summary>
    /// Everything both hosts share: storage, ledger, playbooks, clusters, activities, notifications,
    /// approvals, intake and the API handlers. Options are validated at start. The host adds the runtime
    /// (<c>IPlaybookRuntime</c>): embedded on one machine, Durable Functions in Azure.
    /// </summary>
    /// <param name="requireApiKey">True where this code checks the API key (the local host); false under Azure Functions, whose host checks its own keys.</param>
    public static IServiceCollection AddContainment(this IServiceCollection services, IConfiguration configuration, bool requireApiKey = true)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddContainmentTracing(configuration);
        services.AddOptions<StorageOptions>()
            .Configure(options =>
            {
                // Functions' convention: a plain connection string, or a section of identity settings.
                var setting = configuration.GetSection(StorageOptions.SettingName);
                options.ConnectionString = setting.Value;
                options.TableServiceUri = setting["tableServiceUri"] is { Length: > 0 } uri ? new Uri(uri) : null;
                options.ClientId = setting["clientId"];
            })
            .Bind(configuration.GetSection(StorageOptions.Section))
            .Validate(options => !options.Validate().Any(), StorageOptions.SettingName + " must be a storage connection string, or " + StorageOptions.SettingName + "__tableServiceUri must name the table endpoint")
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<StorageOperationCounter>();
        services.AddSingleton(provider =>
        {
            var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            var clientOptions = storage.ClientOptions();
            clientOptions.AddPolicy(provider.GetRequiredService<StorageOperationCounter>(), HttpPipelinePosition.PerRetry);
            return string.IsNullOrWhiteSpace(storage.ConnectionString)
                ? new TableServiceClient(storage.TableServiceUri, new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = storage.ClientId }), clientOptions)
                : new TableServiceClient(storage.ConnectionString, clientOptions);
        });

        services.AddLedger();

        services.AddOptions<PlaybookOptions>().BindConfiguration(PlaybookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PlaybookRepository>();

        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateDataAnnotations()
            .Validate(options => !requireApiKey || options.Key.Length >= 16, "Containment:Api:Key must be at least 16 characters")
            .ValidateOnStart();
        services.AddSingleton<ApiKeyCheck>();
        services.AddSingleton<ApiFailures>();
        services.AddSingleton<PlaybooksApi>();
        services.AddSingleton<EventsApi>();
        services.AddSingleton<PoisonApi>();
        services.AddSingleton<IsolationsApi>();
        services.AddOptions<DriftOptions>().BindConfiguration(DriftOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DriftOptions>, DriftOptionsValidator>());
        services.AddSingleton<ClusterAccessReview>();
        services.AddSingleton<LedgerDriftCheck>();
        services.AddSingleton<ReportedDrift>();
        services.AddSingleton<DriftWatch>();
        services.AddSingleton<DriftApi>();
        services.AddSingleton<HealthApi>();
        services.AddSingleton<AlertsApi>();
        services.AddSingleton<EventGridApi>();
        services.AddSingleton<RunsApi>();
        services.AddSingleton<ApprovalsApi>();
        services.AddNotifications(configuration);
        services.AddApprovals(configuration);
        services.AddSingleton<ApprovalStore>();
        services.AddContainmentIsolation();

        services.AddSingleton(AlertIntake.Default);
        services.AddSingleton<PodLabelsReader>();
        services.AddSingleton<AlertAdmission>();
        services.AddRunActivity<IsolatePod>();
        services.AddRunActivity<ReleasePod>();
        services.AddRunActivity<RequestApproval>();
        services.AddRunActivity<Notify>();
        services.AddRunActivity<SetEventStatus>();
        services.AddRunActivity<DeletePod>();
        services.AddRunActivity<CordonNode>();
        services.AddRunActivity<UncordonNode>();
        return services;
    }

    /// <summary>Registers the activity as the runtimes call it: storing its run's event on the run's first step.</summary>
    private static void AddRunActivity<TActivity>(this IServiceCollection services)
        where TActivity : class, IRunActivity
    {
        services.AddSingleton<TActivity>();
        services.AddSingleton<IRunActivity>(provider => new RunEventStoring(
            provider.GetRequiredService<TActivity>(), provider.GetRequiredService<SecurityEventLedger>(), provider.GetRequiredService<TimeProvider>()));
    }
}
