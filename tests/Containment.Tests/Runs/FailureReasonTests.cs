using System.Net.Sockets;
using Azure;
using Containment.Activities;

namespace Containment.Tests.Runs;

public sealed class FailureReasonTests
{
    [Fact]
    public void Of_StorageUnansweredThroughEveryTry_SaysWhatTheTransportSaid()
    {
        // What the Tables SDK throws when every try is refused: its retries' failures gathered, status 0 each.
        var tries = Enumerable.Range(0, 4)
            .Select(_ => new RequestFailedException(0, "Connection refused (127.0.0.1:10002)", new HttpRequestException("Connection refused (127.0.0.1:10002)", new SocketException((int)SocketError.ConnectionRefused))))
            .ToList();
        var thrown = new AggregateException("Retry failed after 4 tries. Retry settings can be adjusted in ClientOptions.Retry.", tries);

        Assert.Equal("storage did not answer: Connection refused (127.0.0.1:10002)", FailureReason.Of(thrown));
    }

    [Fact]
    public void Of_FirstTryBrokeWhileReadingItsAnswer_SaysStorageDidNotAnswer()
    {
        // A connection reset while the first try's answer was read comes as a bare IOException among the tries.
        var thrown = new AggregateException(
            "Retry failed after 2 tries.",
            new IOException("Unable to read data from the transport connection: Connection reset by peer."),
            new RequestFailedException(0, "Connection reset by peer", new HttpRequestException("Connection reset by peer")));

        Assert.Equal("storage did not answer: Unable to read data from the transport connection: Connection reset by peer.", FailureReason.Of(thrown));
        Assert.Equal(503, Containment.Api.ApiFailures.Of(thrown).Status);
    }

    [Fact]
    public void Of_ConnectionResetLeftBare_SaysStorageDidNotAnswer()
    {
        // What the Tables SDK threw now and then, in a loop of reads through a relay that resets every connection.
        var thrown = new SocketException((int)SocketError.ConnectionReset);

        Assert.Equal($"storage did not answer: {thrown.Message}", FailureReason.Of(thrown));
        Assert.Equal(503, Containment.Api.ApiFailures.Of(thrown).Status);
    }

    [Fact]
    public void Of_StorageAnswered_SaysItsStatusAndCode()
    {
        var thrown = new RequestFailedException(503, "The server is busy.\nStatus: 503 (Server Busy)\nErrorCode: ServerBusy", "ServerBusy", innerException: null);

        Assert.Equal("storage answered 503 ServerBusy", FailureReason.Of(thrown));
    }

    [Fact]
    public void Of_AnythingElse_SaysItsTypeAndMessage()
    {
        Assert.Equal("InvalidOperationException: the run is gone", FailureReason.Of(new InvalidOperationException("the run is gone")));
    }
}
