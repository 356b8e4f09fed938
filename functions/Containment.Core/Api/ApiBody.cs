using System.Text.Json;

namespace Containment.Api;

/// <summary>Reads a JSON request body into a record, or says exactly what is wrong with it (415, 413, 400).</summary>
public static class ApiBody
{
    public static bool IsJson(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return false;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    public const string ContentTypeHeader = "Content-Type";

    public static ApiResponse UnsupportedMediaType(string? contentType) => ApiResponse.Error(
        415,
        $"expected a JSON body (Content-Type application/json), got {(string.IsNullOrWhiteSpace(contentType) ? "no Content-Type" : contentType)}",
        new ApiErrorDetail(ContentTypeHeader, "send application/json (or application/*+json)"));

    public static ApiResponse TooLarge(int maxBytes) => ApiResponse.Error(
        413,
        $"the body is larger than {maxBytes} bytes",
        new ApiErrorDetail("/", $"at most {maxBytes} bytes are read; nothing was read or kept"));

    /// <summary>The body as <typeparamref name="T"/>, or the error response to send instead.</summary>
    public static (T? Value, ApiResponse? Error) Read<T>(ApiRequest request)
        where T : class
    {
        if (request.BodyTooLarge)
        {
            return (null, TooLarge(request.MaxBodyBytes));
        }

        if (!IsJson(request.ContentType))
        {
            return (null, UnsupportedMediaType(request.ContentType));
        }

        try
        {
            var value = request.Body.ToObjectFromJson<T>(ContainmentJson.Options);
            return value is null
                ? (null, ApiResponse.Error(400, "the body is empty or null; expected a JSON object"))
                : (value, null);
        }
        catch (JsonException exception)
        {
            var where = exception.LineNumber is { } line ? $" (line {line + 1}, byte {exception.BytePositionInLine + 1})" : string.Empty;
            return (null, ApiResponse.Error(400, "the body is not valid", new ApiErrorDetail(JsonErrors.PointerOf(exception), JsonErrors.Describe(exception) + where)));
        }
    }
}
