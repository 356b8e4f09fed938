using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Polly;

namespace Containment.Notifications.Channels;

/// <summary>Sends a message through a channel's SMTP server with MailKit, retrying transient failures.</summary>
public sealed class SmtpMailer(NotificationRetry retry, IOptions<NotificationOptions> options, ILogger<SmtpMailer> logger)
{
    public async Task<ChannelResult> SendAsync(EmailChannelOptions channel, MimeMessage message, CancellationToken cancellationToken)
    {
        var attempts = 0;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            await retry.Smtp.ExecuteAsync(
                async (ctx, _) =>
                {
                    attempts++;
                    if (attempts > 1)
                    {
                        logger.LogInformation("Retrying notification channel {Channel}, attempt {Attempt}", channel.Name, attempts);
                    }

                    await SendOnceAsync(channel, message, ctx.CancellationToken);
                },
                context,
                0);
            logger.LogInformation("Notification sent to channel {Channel} after {Attempts} attempt(s)", channel.Name, attempts);
            return ChannelResult.Sent(channel.Name, attempts);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var reason = $"{Describe(channel, exception)} after {Attempts.Describe(attempts)}";
            logger.LogWarning("Notification to channel {Channel} failed: {Reason}", channel.Name, reason);
            return ChannelResult.Failed(channel.Name, attempts, reason);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async Task SendOnceAsync(EmailChannelOptions channel, MimeMessage message, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient { Timeout = (int)options.Value.AttemptTimeout.TotalMilliseconds };
        await client.ConnectAsync(channel.SmtpHost!, channel.Port, ToSocketOptions(channel.Security), cancellationToken);
        if (!string.IsNullOrEmpty(channel.Username))
        {
            await client.AuthenticateAsync(channel.Username, channel.Password ?? string.Empty, cancellationToken);
        }

        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }

    private static SecureSocketOptions ToSocketOptions(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls,
    };

    private static string Describe(EmailChannelOptions channel, Exception exception) => exception switch
    {
        SmtpCommandException command => $"the SMTP server {channel.SmtpHost}:{channel.Port} refused the message ({(int)command.StatusCode} {command.StatusCode})",
        AuthenticationException => $"the SMTP server {channel.SmtpHost}:{channel.Port} refused the credentials",
        SslHandshakeException => $"TLS with the SMTP server {channel.SmtpHost}:{channel.Port} failed",
        _ => $"the SMTP server {channel.SmtpHost}:{channel.Port} could not be reached ({exception.GetType().Name})",
    };
}
