using System.Reflection;
using Containment.Activities;
using Containment.FunctionApp.Http;
using Microsoft.Azure.Functions.Worker;

namespace Containment.Tests.FunctionApp;

/// <summary>
/// What the Functions host checks only when it loads the app: every function's name is its own (compared without
/// case, or the host does not start), and no two HTTP functions take the same method and route.
/// </summary>
public sealed class FunctionNamesTests
{
    private static readonly MethodInfo[] Functions = typeof(ApiFunctions).Assembly.GetTypes()
        .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
        .Where(method => method.GetCustomAttribute<FunctionAttribute>() is not null)
        .ToArray();

    [Fact]
    public void EveryFunctionName_IsUnique_WithoutCase()
    {
        var repeated = Functions
            .GroupBy(method => method.GetCustomAttribute<FunctionAttribute>()!.Name, StringComparer.OrdinalIgnoreCase)
            .Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: {string.Join(", ", group.Select(method => $"{method.DeclaringType!.Name}.{method.Name}"))}");

        Assert.Empty(repeated);
    }

    [Fact]
    public void EveryActivity_HasAFunctionOfItsName()
    {
        var names = Functions.Select(method => method.GetCustomAttribute<FunctionAttribute>()!.Name).ToHashSet(StringComparer.Ordinal);
        var activities = typeof(ActivityNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral)
            .Select(field => (string)field.GetRawConstantValue()!)
            .ToList();

        Assert.NotEmpty(activities);
        Assert.All(activities, activity => Assert.Contains(activity, names));
    }

    [Fact]
    public void EveryHttpRoute_AndMethod_IsTakenByOneFunction()
    {
        var routes = Functions
            .SelectMany(method => method.GetParameters()
                .Select(parameter => parameter.GetCustomAttribute<HttpTriggerAttribute>())
                .OfType<HttpTriggerAttribute>()
                .SelectMany(trigger => trigger.Methods!.Select(verb => $"{verb.ToUpperInvariant()} {trigger.Route}")))
            .ToList();

        Assert.True(routes.Count >= 20, $"{routes.Count} HTTP routes read");
        Assert.Equal(routes.Distinct(StringComparer.OrdinalIgnoreCase).Order(), routes.Order());
    }
}
