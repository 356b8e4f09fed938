using System.Text.Json;

namespace Containment.Tests.Reliability;

/// <summary>
/// One entry of <c>BadInput/cases.json</c>: what to send where, and the answer it must get. The body is a file of
/// the folder, a template with a long run of one character in place of <c>@@TEXT@@</c>, or a form; approval
/// routes take a token of the named kind.
/// </summary>
public sealed record BadInputCase
{
    public required string Name { get; init; }

    public required string Route { get; init; }

    public string? File { get; init; }

    public BadInputTemplate? Generate { get; init; }

    public string? Form { get; init; }

    /// <summary>Default <c>application/json</c>; empty for no Content-Type at all.</summary>
    public string? ContentType { get; init; }

    public Dictionary<string, string> Headers { get; init; } = [];

    public ApprovalTokenKind? Token { get; init; }

    public required int Status { get; init; }

    /// <summary>The JSON pointer (or header name) one of the error's details must name; null when the error has no details.</summary>
    public string? Pointer { get; init; }

    /// <summary>Text the error (or that detail's message, or the page) must contain.</summary>
    public string Says { get; init; } = string.Empty;

    /// <summary>Whether the body is kept in the poison table (alert intake only).</summary>
    public bool Poison { get; init; }

    public static IReadOnlyList<BadInputCase> All { get; } = JsonSerializer.Deserialize<List<BadInputCase>>(
        System.IO.File.ReadAllText(PathOf("cases.json")), ContainmentJson.Options)!;

    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Reliability", "BadInput", file);

    public byte[] Body()
    {
        if (Generate is { } template)
        {
            var text = System.IO.File.ReadAllText(PathOf(template.Template)).Replace("@@TEXT@@", string.Concat(Enumerable.Repeat(template.Repeat, template.Times)), StringComparison.Ordinal);
            return System.Text.Encoding.UTF8.GetBytes(text);
        }

        return File is not null ? System.IO.File.ReadAllBytes(PathOf(File)) : System.Text.Encoding.UTF8.GetBytes(Form ?? string.Empty);
    }

    public override string ToString() => Name;
}
