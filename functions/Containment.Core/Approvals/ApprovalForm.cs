namespace Containment.Approvals;

/// <summary>The approval page's posted form (<c>application/x-www-form-urlencoded</c>).</summary>
public sealed record ApprovalForm(ApprovalVerdict? Decision = null, string? Comment = null, string? Name = null)
{
    public const int MaxCommentLength = 2000;
    public const int MaxNameLength = 200;

    /// <summary>Reads the fields the page posts; an unknown or missing decision gives a null <see cref="Decision"/>.</summary>
    public static ApprovalForm Parse(BinaryData body)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in body.ToString().Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Unescape(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Unescape(pair[(equals + 1)..]);
            fields.TryAdd(name, value);
        }

        ApprovalVerdict? decision = fields.GetValueOrDefault(ApprovalPage.DecisionField)?.Trim().ToLowerInvariant() switch
        {
            "approve" => ApprovalVerdict.Approved,
            "reject" => ApprovalVerdict.Rejected,
            _ => null,
        };
        return new ApprovalForm(decision, Limit(fields.GetValueOrDefault(ApprovalPage.CommentField), MaxCommentLength), Limit(fields.GetValueOrDefault(ApprovalPage.NameField), MaxNameLength));
    }

    private static string Unescape(string text)
    {
        try
        {
            return Uri.UnescapeDataString(text.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return text;
        }
    }

    private static string? Limit(string? text, int length) =>
        string.IsNullOrWhiteSpace(text) ? null : TextCut.ToLength(text.Trim(), length);
}
