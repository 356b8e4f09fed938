namespace Containment.Runs.Embedded;

/// <summary>The wait after failures in a row: the first delay, doubled after each further failure, up to a maximum.</summary>
internal static class DoublingDelay
{
    public static TimeSpan After(int failuresInARow, TimeSpan first, TimeSpan max)
    {
        // Twenty doublings pass any sane maximum; the cap keeps the product within TimeSpan's range.
        var delay = first * Math.Pow(2, Math.Clamp(failuresInARow - 1, 0, 20));
        return delay < max ? delay : max;
    }
}
