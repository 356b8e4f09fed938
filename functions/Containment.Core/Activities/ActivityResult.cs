using System.Text.Json;

namespace Containment.Activities;

/// <summary>What one activity call did: its output, or why it failed and whether trying again can help.</summary>
public sealed record ActivityResult
{
    public required bool Succeeded { get; init; }

    public JsonElement? Output { get; init; }

    public string? Reason { get; init; }

    /// <summary>False for failures that another try cannot fix (403 Forbidden, a protected namespace).</summary>
    public bool Retryable { get; init; }

    public static ActivityResult Success(object? output = null) => new()
    {
        Succeeded = true,
        Output = output is null ? null : JsonSerializer.SerializeToElement(output, output.GetType(), ContainmentJson.Options),
    };

    public static ActivityResult Failure(string reason, bool retryable) => new() { Succeeded = false, Reason = reason, Retryable = retryable };
}
