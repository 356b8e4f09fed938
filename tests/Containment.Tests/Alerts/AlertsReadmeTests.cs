using Containment.Alerts;

namespace Containment.Tests.Alerts;

public sealed class AlertsReadmeTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "functions", "Containment.Core", "Alerts", "README.md"));

    [Fact]
    public void Readme_EveryMappedRuleAndAlertType_ListsItsCategory()
    {
        // Arrange
        var rows = CategoryMap.FalcoRules.Concat(CategoryMap.DefenderAlertTypes)
            .Select(pair => $"| {pair.Key} | {KebabCaseEnumConverter.ToWireName(pair.Value)} |");

        // Act
        var missing = rows.Where(row => !Readme.Contains(row, StringComparison.Ordinal)).ToList();

        // Assert
        Assert.Empty(missing);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Containment.Buildable.slnf")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
