namespace Containment.Approvals;

/// <summary>
/// The approval page's posted form (<c>application/x-www-form-urlencoded</c>); <see cref="Problem"/> says what is
/// wrong with it, and then nothing is decided.
/// </summary>
public sealed record ApprovalForm(ApprovalVerdict? Decision = null, string? Comment = null, string? Name = null, string? Problem = null)
{
    public const int MaxCommentLength = 2000;
    public const int MaxNameLength = 200;

    /// <summary>The problem of a form without a decision the page can post.</summary>
    public const string MissingDecision = "the form must say decision=approve or decision=reject";

    public static ApprovalForm Parse(BinaryData body)
    {
        var fields = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in body.ToString().Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Unescape(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Unescape(pair[(equals + 1)..]);
            (fields.TryGetValue(name, out var values) ? values : fields[name] = []).Add(value);
        }

        var decisions = Values(fields, ApprovalPage.DecisionField).Select(Verdict).Distinct().ToList();
        if (decisions is not [{ } decision])
        {
            // Two different decisions are not guessed between: a page posts the one button pressed.
            return new ApprovalForm(Problem: decisions.Count > 1 && !decisions.Contains(null)
                ? "the form says both decision=approve and decision=reject; it must say one"
                : MissingDecision);
        }

        // A browser sends a textarea's line breaks as CRLF, and its maxlength counts each as one character.
        var (comment, commentProblem) = Field(fields, ApprovalPage.CommentField, "the comment", MaxCommentLength, lines: true);
        var (typedName, nameProblem) = Field(fields, ApprovalPage.NameField, "the name", MaxNameLength, lines: false);
        return new ApprovalForm(decision, comment, typedName, commentProblem ?? nameProblem);
    }

    private static ApprovalVerdict? Verdict(string value) => value.Trim().ToLowerInvariant() switch
    {
        "approve" => ApprovalVerdict.Approved,
        "reject" => ApprovalVerdict.Rejected,
        _ => null,
    };

    private static (string? Text, string? Problem) Field(Dictionary<string, List<string>> fields, string field, string what, int maxLength, bool lines)
    {
        var values = Values(fields, field).Select(value => (lines ? value.Replace("\r\n", "\n", StringComparison.Ordinal) : value).Trim()).Where(value => value.Length > 0).Distinct().ToList();
        if (values.Count > 1)
        {
            return (null, $"the form gives {field} more than once");
        }

        if (values is not [var text])
        {
            return (null, null);
        }

        return text.Length > maxLength
            ? (null, $"{what} is {text.Length} characters; at most {maxLength} are kept")
            : (text, HumanText.Problem(text, what, lines));
    }

    private static List<string> Values(Dictionary<string, List<string>> fields, string field) => fields.GetValueOrDefault(field) ?? [];

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
}
