namespace Containment.Api;

/// <summary>What a handler answers: a status, a body (JSON by default, or HTML/text), and headers.</summary>
public sealed record ApiResponse
{
    public required int Status { get; init; }

    /// <summary>Serialised with <see cref="ContainmentJson.Options"/> unless <see cref="Text"/> is given.</summary>
    public object? Body { get; init; }

    /// <summary>A body that is already text (HTML pages); sent as <see cref="ContentType"/>.</summary>
    public string? Text { get; init; }

    public string ContentType { get; init; } = "application/json; charset=utf-8";

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public static ApiResponse Json(int status, object? body) => new() { Status = status, Body = body };

    public static ApiResponse Html(int status, string html) => new() { Status = status, Text = html, ContentType = "text/html; charset=utf-8" };

    public static ApiResponse Error(int status, string error, params IReadOnlyList<ApiErrorDetail> details) =>
        new() { Status = status, Body = new ApiErrorBody(error, details.Count == 0 ? null : details) };
}
