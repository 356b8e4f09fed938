using Containment.Alerts;

namespace Containment.Tests.Alerts;

public sealed class AlertIntakeProblemTests
{
    [Fact]
    public void Read_MalformedJson_ReportsLineAndByte()
    {
        // Arrange
        var body = BinaryData.FromString("{\n  \"alertType\": \"K8S.NODE_ReverseShell\",\n  \"severity\": Medium\n}");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Alerts);
        Assert.Equal([new AlertProblem(string.Empty, "malformed JSON at line 3, byte 15 of that line")], result.Problems);
    }

    [Fact]
    public void Read_UnknownFormat_ListsFormatsTried()
    {
        // Arrange
        var body = BinaryData.FromString("""{"hello":"world"}""");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Empty(result.Alerts);
        Assert.Equal(
            [new AlertProblem(string.Empty, "unrecognised alert format (tried: event-grid, cloud-events, native, sentinel-incident, defender, falco)")],
            result.Problems);
    }

    [Fact]
    public void Read_BatchWithOneBadEntry_KeepsGoodAlertsAndPointsAtBadOne()
    {
        // Arrange
        var falco = Payloads.Load("falco-terminal-shell.json").ToString();
        var body = BinaryData.FromString($"[{falco}, 42]");

        // Act
        var result = AlertIntake.Default.Read(body, "application/json");

        // Assert
        Assert.Equal("mysql-0", Assert.Single(result.Alerts).Target.Pod);
        Assert.Equal([new AlertProblem("/1", "expected an alert object, found NUMBER")], result.Problems);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public void Read_EmptyBody_ReportsEmpty()
    {
        // Arrange
        var body = BinaryData.FromString(string.Empty);

        // Act
        var result = AlertIntake.Default.Read(body);

        // Assert
        Assert.Equal([new AlertProblem(string.Empty, "the body is empty")], result.Problems);
    }
}
