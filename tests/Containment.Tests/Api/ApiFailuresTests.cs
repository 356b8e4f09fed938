using Azure;
using Containment.Api;
using Microsoft.Extensions.Logging.Abstractions;

namespace Containment.Tests.Api;

public sealed class ApiFailuresTests
{
    [Theory]
    [InlineData(503, "ServerBusy", "storage is unavailable (status 503, ServerBusy); try again")]
    [InlineData(500, "InternalError", "storage is unavailable (status 500, InternalError); try again")]
    [InlineData(429, null, "storage is unavailable (status 429); try again")]
    [InlineData(0, null, "storage is unavailable (no answer); try again")]
    public void Of_StorageUnavailable_Is503WithRetryAfter(int status, string? code, string error)
    {
        var response = ApiFailures.Of(new RequestFailedException(status, "secret detail", code, innerException: null));

        Assert.Equal(503, response.Status);
        Assert.Equal(error, Assert.IsType<ApiErrorBody>(response.Body).Error);
        Assert.Equal("5", response.Headers["Retry-After"]);
    }

    [Fact]
    public void Of_StorageFailureInsideAnother_IsStillTheStorageAnswer()
    {
        var response = ApiFailures.Of(new InvalidOperationException("run x could not be ended", new RequestFailedException(503, "busy", "ServerBusy", null)));

        Assert.Equal(503, response.Status);
    }

    [Fact]
    public void Of_StorageRefusal_Is500NamingTheCode()
    {
        var response = ApiFailures.Of(new RequestFailedException(400, "secret detail", "PropertyValueTooLarge", null));

        Assert.Equal(500, response.Status);
        Assert.Equal("storage refused a write or read (status 400, PropertyValueTooLarge); the host's log has the details", Assert.IsType<ApiErrorBody>(response.Body).Error);
        Assert.Empty(response.Headers);
    }

    [Fact]
    public void Of_AnyOtherFailure_Is500WithoutItsText()
    {
        var response = ApiFailures.Of(new InvalidOperationException("connection string AccountKey=abc"));

        Assert.Equal(500, response.Status);
        var error = Assert.IsType<ApiErrorBody>(response.Body).Error;
        Assert.DoesNotContain("AccountKey", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Guard_HandlerThrows_AnswersInstead()
    {
        var failures = new ApiFailures(NullLogger<ApiFailures>.Instance);

        var response = await failures.GuardAsync("api/events", () => throw new RequestFailedException(503, "busy"), CancellationToken.None);

        Assert.Equal(503, response.Status);
    }

    [Fact]
    public async Task Guard_CallerGone_LetsTheCancellationThrough()
    {
        var failures = new ApiFailures(NullLogger<ApiFailures>.Instance);
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();

        await Assert.ThrowsAsync<OperationCanceledException>(() => failures.GuardAsync("api/events", () => throw new OperationCanceledException(gone.Token), gone.Token));
    }

    [Fact]
    public async Task Guard_HandlerAnswers_PassesTheAnswerOn()
    {
        var failures = new ApiFailures(NullLogger<ApiFailures>.Instance);
        var answer = ApiResponse.Json(202, new { accepted = true });

        var response = await failures.GuardAsync("api/alerts", () => Task.FromResult(answer), CancellationToken.None);

        Assert.Same(answer, response);
    }
}
