namespace Containment.Notifications;

/// <summary>Email through an SMTP server.</summary>
public sealed class EmailChannelOptions : ChannelOptions
{
    public override ChannelType Type => ChannelType.Email;

    public string? SmtpHost { get; set; }

    public int Port { get; set; } = 587;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>Authenticate only when given.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    public string From { get; set; } = "Containment <containment@localhost>";

    /// <summary>Recipients: a list, or one setting separated by commas or semicolons.</summary>
    public IReadOnlyList<string> To { get; set; } = [];

    public override IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(SmtpHost))
        {
            yield return Missing(nameof(SmtpHost));
        }

        if (Port is < 1 or > 65535)
        {
            yield return $"{NotificationOptions.Section}:Channels:{Name}:{nameof(Port)} must be between 1 and 65535";
        }

        if (To.Count == 0)
        {
            yield return Missing(nameof(To));
        }

        var addresses = To.Select(address => (Setting: nameof(To), Address: address)).Append((Setting: nameof(From), Address: From));
        foreach (var (setting, address) in addresses.Where(entry => !IsMailbox(entry.Address)))
        {
            yield return $"{NotificationOptions.Section}:Channels:{Name}:{setting}: '{address}' is not an email address (name@example.com, or Name <name@example.com>)";
        }

        if (!string.IsNullOrEmpty(Username) && string.IsNullOrEmpty(Password))
        {
            yield return Missing(nameof(Password));
        }
    }

    // MimeKit takes a bare local part ("soc") as an address; no server delivers to it.
    private static bool IsMailbox(string address)
    {
        if (!MimeKit.MailboxAddress.TryParse(address, out var mailbox))
        {
            return false;
        }

        var at = mailbox.Address.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at < mailbox.Address.Length - 1;
    }
}
