namespace Containment.Bench;

/// <summary>Nearest-rank percentiles, rounded to hundredths, as every figure of the benchmarks is reported.</summary>
internal static class Percentile
{
    /// <returns>The value at the <paramref name="percentile"/>th nearest rank; NaN when there are none.</returns>
    public static double Of(IEnumerable<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1;
        return Math.Round(sorted[Math.Clamp(rank, 0, sorted.Count - 1)], 2);
    }
}
