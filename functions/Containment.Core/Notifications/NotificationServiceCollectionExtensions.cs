using Containment.Notifications.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Containment.Notifications;

public static class NotificationServiceCollectionExtensions
{
    /// <summary>Channels from <c>Containment:Notifications</c>, validated at start, and <see cref="INotificationSender"/>.</summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<NotificationOptions>()
            .Configure(options => NotificationOptionsReader.Read(configuration, options))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NotificationOptions>, NotificationOptionsValidator>());

        // No redirects (only configured URLs are called) and no request logging (webhook URLs carry secrets).
        services.AddHttpClient(WebhookPoster.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false })
            .RemoveAllLoggers();

        services.TryAddSingleton<NotificationRetry>();
        services.TryAddSingleton<WebhookPoster>();
        services.TryAddSingleton<SmtpMailer>();
        services.TryAddSingleton<INotificationSender, NotificationSender>();
        return services;
    }
}
