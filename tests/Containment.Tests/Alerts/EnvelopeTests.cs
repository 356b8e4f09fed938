using Containment.Alerts;

namespace Containment.Tests.Alerts;

public sealed class EnvelopeTests
{
    [Fact]
    public void Read_EventGridEventWrappingDefenderAlert_ReadsTheData()
    {
        // Arrange
        var body = Payloads.Load("eventgrid-defender.json");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Problems);
        Assert.Null(result.Validation);
        Assert.Equal(Expected.DefenderReverseShell, Expected.WithoutRaw(Assert.Single(result.Alerts)));
    }

    [Fact]
    public void Read_SubscriptionValidationEvent_SurfacesValidationCodeAndNoAlert()
    {
        // Arrange
        var body = Payloads.Load("eventgrid-validation.json");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Alerts);
        Assert.Empty(result.Problems);
        Assert.NotNull(result.Validation);
        Assert.Equal("512d38b6-c7b8-40c8-89fe-f46f9e9622b6", result.Validation.ValidationCode);
        Assert.StartsWith("https://rp-westeurope.eventgrid.azure.net:553/", result.Validation.ValidationUrl, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/cloudevents-batch+json; charset=utf-8")]
    [InlineData("application/json")]
    public void Read_CloudEventsBatchOfFalcoEvents_ReadsEveryEvent(string contentType)
    {
        // Arrange
        var body = Payloads.Load("cloudevents-batch-falco.json");

        // Act
        var result = AlertIntake.Default.Read(body, contentType);

        // Assert
        Assert.Empty(result.Problems);
        Assert.Collection(
            result.Alerts,
            miner =>
            {
                Assert.Equal("5b4a3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d", miner.Id);
                Assert.Equal(AlertCategory.CryptoMining, miner.Category);
                Assert.Equal(Severity.Critical, miner.Severity);
                Assert.Equal(
                    new AlertTarget
                    {
                        Namespace = "jobs",
                        Pod = "batch-worker-5f6g7-abcde",
                        Container = "worker",
                        Image = "docker.io/library/alpine:3.20",
                        Node = "aks-nodepool2-20495817-vmss000000",
                    },
                    miner.Target);
            },
            shell =>
            {
                Assert.Equal("2c9b3f1e-7a45-4d1b-9e0f-8a6c5b4d3e2f", shell.Id);
                Assert.Equal(AlertCategory.ReverseShell, shell.Category);
                Assert.Equal(Severity.Low, shell.Severity);
                Assert.Equal("api-6b7c8d9f5-h2jkl", shell.Target.Pod);
            });
    }

    [Fact]
    public void Read_CloudEventBinaryMode_ReadsBodyAsData()
    {
        // Arrange: the request Falcosidekick's cloudevents output sends.
        var body = Payloads.Load("falco-reverse-shell.json");
        var headers = new Dictionary<string, string>
        {
            ["Ce-Specversion"] = "1.0",
            ["Ce-Id"] = "2c9b3f1e-7a45-4d1b-9e0f-8a6c5b4d3e2f",
            ["Ce-Source"] = "https://falco.org",
            ["Ce-Type"] = "falco.rule.output.v1",
            ["Ce-Time"] = "2026-11-20T10:07:44.118203411Z",
            ["Ce-Priority"] = "Notice",
            ["Ce-Rule"] = "Redirect STDOUT/STDIN to Network Connection in Container",
        };

        // Act
        var result = AlertIntake.Default.Read(body, "application/json", headers);

        // Assert
        Assert.Empty(result.Problems);
        var alert = Assert.Single(result.Alerts);
        Assert.Equal("2c9b3f1e-7a45-4d1b-9e0f-8a6c5b4d3e2f", alert.Id);
        Assert.Equal(AlertCategory.ReverseShell, alert.Category);
        Assert.Equal("payments", alert.Target.Namespace);
    }

    [Fact]
    public void Read_CloudEventMissingRequiredAttribute_ReportsProblem()
    {
        // Arrange
        var body = BinaryData.FromString("""{"specversion":"1.0","type":"falco.rule.output.v1","data":{}}""");

        // Act
        var result = AlertIntake.Default.Read(body, "application/cloudevents+json");

        // Assert
        Assert.Empty(result.Alerts);
        Assert.Equal([new AlertProblem(string.Empty, "the CloudEvent lacks its required attribute 'id'")], result.Problems);
    }

    [Fact]
    public void Read_SingleStructuredCloudEvent_ReadsData()
    {
        // Arrange
        using var batch = System.Text.Json.JsonDocument.Parse(Payloads.Load("cloudevents-batch-falco.json"));
        var body = BinaryData.FromString(batch.RootElement[0].GetRawText());

        // Act
        var result = AlertIntake.Default.Read(body, "application/cloudevents+json");

        // Assert
        Assert.Empty(result.Problems);
        Assert.Equal("5b4a3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d", Assert.Single(result.Alerts).Id);
    }

    [Fact]
    public void Read_EventGridEventWithUnknownData_PointsAtTheData()
    {
        // Arrange
        var body = BinaryData.FromString(
            """[{"id":"1","subject":"s","eventType":"Custom.Thing","eventTime":"2026-11-20T09:00:00Z","dataVersion":"1","data":{"hello":"world"}}]""");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Alerts);
        Assert.Equal(
            [new AlertProblem("/0/data", "unrecognised alert format (tried: event-grid, cloud-events, native, sentinel-incident, defender, falco)")],
            result.Problems);
    }
}
