using System.Text.Json.Serialization;
using Containment.Playbooks;

namespace Containment.Tests.Playbooks;

/// <summary>The step records <see cref="Step"/> declares, by the type name a playbook gives them.</summary>
internal static class StepRecords
{
    public static IReadOnlyDictionary<string, Type> ByType { get; } = typeof(Step)
        .GetCustomAttributes(typeof(JsonDerivedTypeAttribute), inherit: false)
        .Cast<JsonDerivedTypeAttribute>()
        .ToDictionary(derived => (string)derived.TypeDiscriminator!, derived => derived.DerivedType);
}
