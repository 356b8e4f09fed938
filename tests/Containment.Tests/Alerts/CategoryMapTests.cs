using Containment.Alerts;

namespace Containment.Tests.Alerts;

public sealed class CategoryMapTests
{
    [Theory]
    [InlineData("K8S.NODE_ReverseShell", null, null, AlertCategory.ReverseShell)]
    [InlineData("K8S.NODE_SomethingNew", "Container escape attempt detected", null, AlertCategory.ContainerEscape)]
    [InlineData("K8S.NODE_NewMinerVariant", null, null, AlertCategory.CryptoMining)]
    [InlineData("K8S_Unmapped", "Unmapped", "Persistence", AlertCategory.FileTampering)]
    [InlineData("K8S_Unmapped", "Unmapped", "Initial Access, Lateral Movement", AlertCategory.LateralMovement)]
    [InlineData("K8S_ExposedDashboard", "Exposed Kubernetes dashboard detected", "InitialAccess", AlertCategory.Other)]
    public void ForDefender_TypeKeywordOrIntent_MapsCategory(string alertType, string? name, string? intent, AlertCategory expected)
    {
        // Act
        var category = CategoryMap.ForDefender(alertType, name, intent);

        // Assert
        Assert.Equal(expected, category);
    }

    [Theory]
    [InlineData("Launch Privileged Container", "", AlertCategory.ContainerEscape)]
    [InlineData("write below etc", "", AlertCategory.FileTampering)]
    [InlineData("Some Custom Rule", "mitre_discovery", AlertCategory.LateralMovement)]
    [InlineData("Some Custom Rule", "mitre_persistence", AlertCategory.FileTampering)]
    [InlineData("Some Custom Rule", "mitre_exfiltration", AlertCategory.Other)]
    [InlineData("Some Custom Rule", "", AlertCategory.Other)]
    public void ForFalco_RuleOrMitreTag_MapsCategory(string rule, string tag, AlertCategory expected)
    {
        // Act
        var category = CategoryMap.ForFalco(rule, tag.Length == 0 ? [] : [tag]);

        // Assert
        Assert.Equal(expected, category);
    }

    [Theory]
    [InlineData("Emergency", Severity.Critical)]
    [InlineData("Error", Severity.High)]
    [InlineData("WARNING", Severity.Medium)]
    [InlineData("Notice", Severity.Low)]
    [InlineData("Debug", Severity.Informational)]
    public void TryFalco_Priority_MapsSeverity(string priority, Severity expected)
    {
        // Act
        var found = SeverityMap.TryFalco(priority, out var severity);

        // Assert
        Assert.True(found);
        Assert.Equal(expected, severity);
    }
}
