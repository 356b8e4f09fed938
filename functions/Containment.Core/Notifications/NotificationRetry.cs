using System.Net;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Containment.Notifications;

/// <summary>
/// The retry pipelines of notification sends, on the injected <see cref="TimeProvider"/> so that tests advance time
/// instead of sleeping. HTTP: network errors, attempt timeouts, 408, 429 and 5xx are retried, honouring Retry-After;
/// other answers (403, 404, 400) are final. SMTP: network errors and 4xx replies are retried; 5xx and
/// authentication failures are final.
/// </summary>
public sealed class NotificationRetry
{
    public NotificationRetry(IOptions<NotificationOptions> options, TimeProvider timeProvider)
    {
        var settings = options.Value;
        MaxAttempts = settings.MaxAttempts;
        Http = BuildHttp(settings, timeProvider);
        Smtp = BuildSmtp(settings, timeProvider);
    }

    /// <summary>The longest wait between two attempts, a Retry-After answer included.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(2);

    public int MaxAttempts { get; }

    /// <summary>The caller's token is in <see cref="ResilienceContext.CancellationToken"/>; anything else that cancels is an attempt timeout.</summary>
    public ResiliencePipeline<HttpResponseMessage> Http { get; }

    public ResiliencePipeline Smtp { get; }

    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    public static bool IsTransient(Exception exception, CancellationToken callerToken) => exception switch
    {
        HttpRequestException or IOException or SocketException or TimeoutException => true,
        OperationCanceledException => !callerToken.IsCancellationRequested,
        SmtpCommandException command => (int)command.StatusCode is >= 400 and < 500,
        SmtpProtocolException or ServiceNotConnectedException => true,
        _ => false,
    };

    private static ResiliencePipeline<HttpResponseMessage> BuildHttp(NotificationOptions settings, TimeProvider timeProvider)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider };
        if (settings.MaxAttempts > 1)
        {
            var retry = new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = settings.MaxAttempts - 1,
                Delay = settings.RetryDelay,
                MaxDelay = MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = true,
                ShouldHandle = arguments => ValueTask.FromResult(arguments.Outcome switch
                {
                    { Exception: { } exception } => IsTransient(exception, arguments.Context.CancellationToken),
                    { Result: { } response } => IsTransient(response.StatusCode),
                    _ => false,
                }),
            };

            // A Retry-After longer than MaxDelay is shortened: a notification that waits an hour is no longer news.
            var retryAfter = retry.DelayGenerator;
            if (retryAfter is not null)
            {
                retry.DelayGenerator = async arguments =>
                {
                    var delay = await retryAfter(arguments);
                    return delay > MaxDelay ? MaxDelay : delay;
                };
            }

            builder.AddRetry(retry);
        }

        return builder.Build();
    }

    private static ResiliencePipeline BuildSmtp(NotificationOptions settings, TimeProvider timeProvider)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider };
        if (settings.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = settings.MaxAttempts - 1,
                Delay = settings.RetryDelay,
                MaxDelay = MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = arguments => ValueTask.FromResult(
                    arguments.Outcome.Exception is { } exception && IsTransient(exception, arguments.Context.CancellationToken)),
            });
        }

        return builder.Build();
    }
}
