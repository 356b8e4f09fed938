using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Containment.Isolation;
using Containment.Playbooks.Reference;

namespace Containment.Tests.Playbooks;

/// <summary>The step types as the schema describes them: what <c>./containment playbooks steps</c> prints.</summary>
public sealed class StepReferenceTests
{
    [Fact]
    public void All_OnePerStepType_InTheSchemasOrder()
    {
        Assert.Equal(
            ["isolate", "release", "approval", "notify", "wait", "setEventStatus", "deletePod", "cordonNode", "uncordonNode"],
            StepReference.All.Select(step => step.Type));
        Assert.Equal(StepRecords.ByType.Keys.Order(StringComparer.Ordinal), StepReference.All.Select(step => step.Type).Order(StringComparer.Ordinal));
        Assert.All(StepReference.All, step => Assert.NotEmpty(step.Description));
    }

    [Fact]
    public void Common_TheFieldsEveryStepTakes_IdAloneRequired()
    {
        Assert.Equal(
            [("id", "stepId", true), ("description", "string", false), ("when", "condition", false), ("retry", "retry", false), ("continueOnError", "boolean", false)],
            StepReference.Common.Select(field => (field.Name, field.Kind, field.Required)));
    }

    /// <summary>The schema and the step records describe the same fields: a field added to one alone fails here.</summary>
    [Fact]
    public void Fields_AreTheStepRecordsOwn_RequiredWhereTheRecordRequiresThem()
    {
        Assert.All(StepReference.All, step =>
        {
            var own = StepRecords.ByType[step.Type].GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(property => property.GetCustomAttribute<JsonIgnoreAttribute>() is null)
                .ToList();
            Assert.Equal(
                own.Select(property => (JsonNamingPolicy.CamelCase.ConvertName(property.Name), property.GetCustomAttribute<RequiredMemberAttribute>() is not null)).Order(),
                step.Fields.Select(field => (field.Name, field.Required)).Order());
        });
    }

    [Fact]
    public void Fields_EachSaysWhatItIs()
    {
        Assert.All(StepReference.All.SelectMany(step => step.Fields).Concat(StepReference.Common), field => Assert.False(string.IsNullOrWhiteSpace(field.Description), field.Name));
    }

    [Fact]
    public void Fields_KindsAndValues_AsTheSchemaGivesThem()
    {
        var approval = StepReference.For("approval")!.Fields.ToDictionary(field => field.Name);
        var status = Assert.Single(StepReference.For("setEventStatus")!.Fields, field => field.Name == "status");

        Assert.Equal(("list of string", false), (approval["approvers"].Kind, approval["approvers"].Required));
        Assert.Equal(("duration", true), (approval["timeout"].Kind, approval["timeout"].Required));
        Assert.Equal("steps", approval["onTimeout"].Kind);
        Assert.Empty(approval["message"].Values);
        Assert.Equal(("string", true), (status.Kind, status.Required));
        Assert.Equal(["processed", "unprocessed", "ignored"], status.Values);
        Assert.Contains("isolated", StepReference.For("notify")!.Fields.Single(field => field.Name == "template").Values);
        Assert.Empty(StepReference.For("cordonNode")!.Fields);
    }

    [Fact]
    public void Action_TheStepsThatActOnAClusterCarryTheirActionsDeclaration_TheOthersNone()
    {
        Assert.Equal(
            ContainmentActions.All.Select(action => action.StepType),
            StepReference.All.Where(step => step.Action is not null).Select(step => step.Type));
        Assert.Same(ContainmentActions.For("isolate"), StepReference.For("isolate")!.Action);
        Assert.Null(StepReference.For("notify")!.Action);
        Assert.Null(StepReference.For("Isolate"));
    }
}
