using Containment.Notifications;
using Containment.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Containment.Tests.Notifications;

/// <summary>A sender built the way hosts build it, from settings, on fake time; drives retries by advancing the clock.</summary>
internal sealed class NotificationHarness : IDisposable
{
    private readonly ServiceProvider provider;

    public NotificationHarness(IDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Containment:Notifications:RetryDelay"] = "00:00:01" })
            .AddInMemoryCollection(settings)
            .Build();
        provider = new ServiceCollection()
            .AddSingleton<TimeProvider>(Time)
            .AddLogging(logging => logging.AddProvider(Logs))
            .AddNotifications(configuration)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    public RecordingTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

    public RecordingLoggerProvider Logs { get; } = new();

    public INotificationSender Sender => provider.GetRequiredService<INotificationSender>();

    public T Get<T>()
        where T : notnull => provider.GetRequiredService<T>();

    /// <summary>Sends, advancing fake time while the send waits between attempts.</summary>
    public Task<NotificationResult> SendAsync(NotificationRequest request) => DriveAsync(Sender.SendAsync(request, CancellationToken.None));

    /// <summary>Advances fake time while <paramref name="send"/> waits between attempts, until it ends.</summary>
    public async Task<T> DriveAsync<T>(Task<T> send)
    {
        var limit = RealTimeLimit.Start();
        while (!send.IsCompleted)
        {
            limit.Check("the send did not end");
            await Task.WhenAny(send, Task.Delay(5));
            Time.Advance(TimeSpan.FromSeconds(1));
        }

        return await send;
    }

    public void Dispose() => provider.Dispose();
}
