using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

namespace Containment.Notifications.Channels;

/// <summary>
/// POSTs a JSON body to a configured URL with retries. The URL is never logged nor put in a reason: webhook URLs
/// carry their secret in the query. Redirects are not followed, so only configured URLs are ever called.
/// </summary>
public sealed class WebhookPoster(IHttpClientFactory clients, NotificationRetry retry, IOptions<NotificationOptions> options, ILogger<WebhookPoster> logger)
{
    public const string HttpClientName = "Containment.Notifications";

    public async Task<ChannelResult> PostAsync(string channel, Uri url, byte[] body, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken)
    {
        using var client = clients.CreateClient(HttpClientName);
        client.Timeout = options.Value.AttemptTimeout;
        var attempts = 0;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            using var response = await retry.Http.ExecuteAsync(
                async (ctx, _) =>
                {
                    attempts++;
                    if (attempts > 1)
                    {
                        logger.LogInformation("Retrying notification channel {Channel}, attempt {Attempt}", channel, attempts);
                    }

                    using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                    foreach (var (name, value) in headers)
                    {
                        request.Headers.TryAddWithoutValidation(name, value);
                    }

                    return await client.SendAsync(request, ctx.CancellationToken);
                },
                context,
                0);

            if (response.IsSuccessStatusCode)
            {
                logger.LogInformation("Notification sent to channel {Channel} after {Attempts} attempt(s)", channel, attempts);
                return ChannelResult.Sent(channel, attempts);
            }

            var reason = $"the webhook answered {(int)response.StatusCode} {response.ReasonPhrase ?? response.StatusCode.ToString()} after {Attempts.Describe(attempts)}";
            logger.LogWarning("Notification to channel {Channel} failed: {Reason}", channel, reason);
            return ChannelResult.Failed(channel, attempts, reason);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var why = exception switch
            {
                HttpRequestException { HttpRequestError: var error } => $"could not be reached ({error})",
                OperationCanceledException => "did not answer in time",
                _ => "could not be reached",
            };
            var reason = $"the webhook {why} after {Attempts.Describe(attempts)}";
            logger.LogWarning("Notification to channel {Channel} failed: {Reason}", channel, reason);
            return ChannelResult.Failed(channel, attempts, reason);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
