using System.Reflection;

namespace Containment.Tests;

public sealed class SerializationRulesTests
{
    /// <summary>
    /// The product's JSON options leave nulls out when writing and require every constructor parameter
    /// when reading, so a nullable positional parameter without a default could never be read back.
    /// </summary>
    [Fact]
    public void Records_NullablePositionalParameters_HaveDefaults()
    {
        var nullability = new NullabilityInfoContext();
        var offenders = typeof(ContainmentJson).Assembly.GetTypes()
            .Where(type => type.IsPublic && type.GetMethod("<Clone>$") is not null)
            .SelectMany(type => type.GetConstructors()
                .Where(constructor => constructor.GetParameters().Length > 0 && !(constructor.GetParameters() is [var only] && only.ParameterType == type))
                .SelectMany(constructor => constructor.GetParameters())
                .Where(parameter => nullability.Create(parameter).WriteState == NullabilityState.Nullable && !parameter.HasDefaultValue)
                .Select(parameter => $"{type.Name}.{parameter.Name}"))
            .ToList();

        Assert.Empty(offenders);
    }
}
