namespace Containment.Playbooks;

/// <summary>A test on one alert field; every test given must hold. Text compares without case.</summary>
public record ValueTest<T>
{
    public T? Is { get; init; }

    public T? IsNot { get; init; }

    public IReadOnlyList<T>? In { get; init; }

    public IReadOnlyList<T>? NotIn { get; init; }

    public virtual bool Matches(T? value)
    {
        var comparer = Comparer;
        if (Is is not null && (value is null || !comparer.Equals(Is, value)))
        {
            return false;
        }

        if (IsNot is not null && value is not null && comparer.Equals(IsNot, value))
        {
            return false;
        }

        if (In is not null && (value is null || !In.Contains(value, comparer)))
        {
            return false;
        }

        return NotIn is null || value is null || !NotIn.Contains(value, comparer);
    }

    private static IEqualityComparer<T> Comparer => typeof(T) == typeof(string)
        ? (IEqualityComparer<T>)StringComparer.OrdinalIgnoreCase
        : EqualityComparer<T>.Default;
}
