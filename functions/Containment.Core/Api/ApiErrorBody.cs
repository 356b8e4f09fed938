namespace Containment.Api;

/// <summary>Every error the API returns: <c>{ "error": "...", "details": [ { "pointer": "/...", "message": "..." } ] }</c>.</summary>
public sealed record ApiErrorBody(string Error, IReadOnlyList<ApiErrorDetail>? Details = null);

/// <summary>One fault: where (a JSON pointer into the request body, or a query or header name) and what.</summary>
public sealed record ApiErrorDetail(string Pointer, string Message);
