using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Containment.Approvals;

public static class ApprovalServiceCollectionExtensions
{
    /// <summary><see cref="ApprovalOptions"/> from <c>Containment:Approvals</c>, validated at start, and <see cref="ApprovalTokens"/>.</summary>
    public static IServiceCollection AddApprovals(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApprovalOptions>()
            .Bind(configuration.GetSection(ApprovalOptions.Section))
            .Validate(options => !options.Validate().Any(), "invalid approval settings")
            .ValidateOnStart();
        services.TryAddSingleton<ApprovalTokens>();
        return services;
    }
}
