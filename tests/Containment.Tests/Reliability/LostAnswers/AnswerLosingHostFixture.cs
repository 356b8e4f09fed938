using Containment.Tests.Support;

namespace Containment.Tests.Reliability.LostAnswers;

/// <summary>The product on loopback with its storage behind a proxy that loses the answer to a write a test names.</summary>
public sealed class AnswerLosingHostFixture : LocalHostFixture
{
    private AnswerLosingProxy? proxy;

    public AnswerLosingProxy Proxy => proxy ?? throw new InvalidOperationException("the host has not started");

    protected override async Task StorageStartedAsync() => proxy = await AnswerLosingProxy.StartAsync(AzuritePort);

    protected override ValueTask HostStoppedAsync() => proxy?.DisposeAsync() ?? ValueTask.CompletedTask;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["AzureWebJobsStorage"] = Proxy.AzuriteConnectionString;

        // The SDK tries a lost answer's request again after this; its 0.8 s would be most of each swept run.
        settings["Containment:Storage:RetryDelay"] = "00:00:00.020";
    }
}
