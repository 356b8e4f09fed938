using System.Buffers;
using System.Text.Json;
using Containment.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Containment.Local.Hosting;

/// <summary>Turns an ASP.NET Core request into the host-neutral <see cref="ApiRequest"/>, and an <see cref="ApiResponse"/> back into HTTP.</summary>
internal static class HttpApiAdapter
{
    private const string PrincipalHeaderPrefix = "X-MS-CLIENT-PRINCIPAL";

    public static async Task<ApiRequest> ToApiRequestAsync(HttpContext context, int maxBodyBytes, bool trustPrincipalHeaders)
    {
        var request = context.Request;
        var (body, tooLarge) = await ReadBodyAsync(request, maxBodyBytes, context.RequestAborted);
        return new ApiRequest
        {
            Method = request.Method,
            BaseUri = new Uri($"{request.Scheme}://{request.Host}{request.PathBase}"),
            RouteValues = RouteValuesAsSent(context),
            Query = request.Query.ToDictionary(pair => pair.Key, pair => pair.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            Headers = request.Headers
                .Where(pair => trustPrincipalHeaders || !pair.Key.StartsWith(PrincipalHeaderPrefix, StringComparison.OrdinalIgnoreCase))
                .ToDictionary(pair => pair.Key, pair => pair.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            ContentType = request.ContentType,
            Body = body,
            BodyTooLarge = tooLarge,
            MaxBodyBytes = maxBodyBytes,
        };
    }

    /// <summary>
    /// Each route value unescaped once from the request target. Kestrel decodes a path but for "%2F", so the value it
    /// routes holds "%2F" both for an escaped slash and for an escaped "%2F"; an id with a slash in it (a Sentinel
    /// incident's event, say) would name no event.
    /// </summary>
    private static Dictionary<string, string> RouteValuesAsSent(HttpContext context)
    {
        var values = context.Request.RouteValues.ToDictionary(pair => pair.Key, pair => pair.Value?.ToString() ?? string.Empty, StringComparer.OrdinalIgnoreCase);
        if (!values.Values.Any(value => value.Contains('%', StringComparison.Ordinal)))
        {
            return values; // only a value holding '%' can differ from its text as sent: most requests, alerts among them
        }

        if (context.GetEndpoint() is not RouteEndpoint { RoutePattern: var pattern } || RawPathSegments(context) is not { } segments
            || segments.Length != pattern.PathSegments.Count)
        {
            return values; // a path Kestrel normalised (dot segments): the values as routed
        }

        for (var index = 0; index < segments.Length; index++)
        {
            if (pattern.PathSegments[index].Parts is [RoutePatternParameterPart parameter])
            {
                values[parameter.Name] = Uri.UnescapeDataString(segments[index]);
            }
        }

        return values;
    }

    private static string[]? RawPathSegments(HttpContext context)
    {
        if (context.Features.Get<IHttpRequestFeature>()?.RawTarget is not { Length: > 0 } target || target[0] != '/')
        {
            return null;
        }

        var path = target.AsSpan(0, target.IndexOf('?') is var query and >= 0 ? query : target.Length);
        var pathBase = context.Request.PathBase.ToUriComponent();
        if (!path.StartsWith(pathBase, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return path[pathBase.Length..].TrimStart('/').ToString().Split('/');
    }

    public static async Task WriteAsync(HttpContext context, ApiResponse response)
    {
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers[name] = value;
        }

        if (response.Text is not null)
        {
            context.Response.ContentType = response.ContentType;
            await context.Response.WriteAsync(response.Text, context.RequestAborted);
        }
        else if (response.Body is not null)
        {
            context.Response.ContentType = response.ContentType;
            await JsonSerializer.SerializeAsync(context.Response.Body, response.Body, response.Body.GetType(), ContainmentJson.Options, context.RequestAborted);
        }
    }

    private static async Task<(BinaryData Body, bool TooLarge)> ReadBodyAsync(HttpRequest request, int maxBodyBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBodyBytes)
        {
            return (BinaryData.Empty, true);
        }

        // Read one byte past the limit to tell "exactly at the limit" from "over it" when the length is not declared.
        // A declared length sizes the buffer at once, and the chunk is pooled: a fresh 80 KB array per request
        // was most of what an alert storm gave the garbage collector.
        var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxBodyBytes)
                {
                    return (BinaryData.Empty, true);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return (new BinaryData(buffer.GetBuffer().AsMemory(0, (int)buffer.Length)), false);
    }
}
