namespace Containment.Notifications;

/// <summary>How the SMTP connection is protected; maps onto MailKit's <c>SecureSocketOptions</c>.</summary>
public enum SmtpSecurity
{
    /// <summary>Plain text (a local relay or a test server only).</summary>
    None,

    /// <summary>STARTTLS is required (submission port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    SslOnConnect,
}
