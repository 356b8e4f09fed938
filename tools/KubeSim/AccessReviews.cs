using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace KubeSim;

/// <summary>
/// <c>SelfSubjectAccessReview</c> (authorization.k8s.io/v1): whether the requesting user may do what the review
/// describes, answered by the same authorizer that answers the user's requests. Nothing is stored, as on a cluster.
/// Without RBAC every review is allowed, as every request is.
/// </summary>
internal sealed class AccessReviews(RbacAuthorizer? authorizer)
{
    public const string Group = "authorization.k8s.io";
    public const string Resource = "selfsubjectaccessreviews";
    private const string Path = $"/apis/{Group}/v1/{Resource}";

    public static bool Matches(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && string.Equals(request.Path.Value?.TrimEnd('/'), Path, StringComparison.Ordinal);

    /// <param name="user">The authenticated user; null when RBAC is off.</param>
    public async Task HandleAsync(HttpContext context, KubeUser? user)
    {
        var cancellationToken = context.RequestAborted;
        // kubectl auth can-i sends protobuf, which KubeSim does not read; it says so rather than misread it.
        if (context.Request.ContentType?.Contains("protobuf", StringComparison.OrdinalIgnoreCase) == true)
        {
            await KubeApi.WriteAsync(context.Response, 415, KubeStatus.Failure(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json"), cancellationToken);
            return;
        }

        JsonObject review;
        try
        {
            review = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: cancellationToken) as JsonObject
                ?? throw new JsonException("the request body is not a JSON object");
        }
        catch (JsonException e)
        {
            await KubeApi.WriteAsync(context.Response, 400, KubeStatus.Failure(400, "BadRequest", e.Message), cancellationToken);
            return;
        }

        if (Asked(review["spec"]) is not { } asked)
        {
            await KubeApi.WriteAsync(context.Response, 422, KubeStatus.Failure(422, "Invalid",
                "SelfSubjectAccessReview.authorization.k8s.io is invalid: spec.resourceAttributes: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified"), cancellationToken);
            return;
        }

        // Without RBAC there is neither an authorizer nor an authenticated user.
        var allowed = authorizer is null || await authorizer.AllowsAsync(user!, asked, cancellationToken);
        review["apiVersion"] = $"{Group}/v1";
        review["kind"] = "SelfSubjectAccessReview";
        review["metadata"] ??= new JsonObject();
        review["status"] = new JsonObject { ["allowed"] = allowed };
        await KubeApi.WriteAsync(context.Response, 201, review, cancellationToken);
    }

    /// <summary>What the review asks about, as request attributes; null when it names neither or both kinds of attributes.</summary>
    private static RequestAttributes? Asked(JsonNode? spec)
    {
        var resource = spec?["resourceAttributes"] as JsonObject;
        var path = spec?["nonResourceAttributes"] as JsonObject;
        return (resource, path) switch
        {
            ({ } r, null) => new RequestAttributes(
                Text(r, "verb"), "", IsResourceRequest: true, Text(r, "group"), Text(r, "resource"), Text(r, "subresource"),
                Text(r, "namespace") is { Length: > 0 } ns ? ns : null, Text(r, "name") is { Length: > 0 } name ? name : null),
            (null, { } p) => new RequestAttributes(Text(p, "verb"), Text(p, "path"), IsResourceRequest: false),
            _ => null,
        };
    }

    private static string Text(JsonObject attributes, string field) => PolicyRules.Text(attributes[field]) ?? "";
}
