namespace KubeSim;

/// <summary>
/// Thread-safe list of faults, tried in the order they were added. A counted rule is used up by the requests it
/// takes; a probabilistic rule draws for each matching request from its own seeded generator.
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock gate = new();
    private readonly List<Entry> entries = [];

    // Counts outlive used-up rules; keyed by reference since equal rules may be added twice.
    private readonly Dictionary<FaultRule, int> fired = new(ReferenceEqualityComparer.Instance);

    /// <exception cref="ArgumentException">The rule is not a fault (no status and no delay, a probability out of 0..1, ...).</exception>
    public void Add(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        rule.Validate();
        lock (gate)
        {
            entries.Add(new Entry(rule));
        }
    }

    /// <summary>Removes this very rule (by reference); false when it is used up or was never added.</summary>
    public bool Remove(FaultRule rule)
    {
        lock (gate)
        {
            return entries.RemoveAll(entry => ReferenceEquals(entry.Rule, rule)) > 0;
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            entries.Clear();
        }
    }

    /// <summary>How many requests this very rule (by reference) has failed or delayed so far, used up or not.</summary>
    public int Fired(FaultRule rule)
    {
        lock (gate)
        {
            return fired.TryGetValue(rule, out var count) ? count : 0;
        }
    }

    /// <summary>The rules still in force with the requests each has taken.</summary>
    public IReadOnlyList<(FaultRule Rule, int Fired)> Snapshot()
    {
        lock (gate)
        {
            return entries.Select(entry => (entry.Rule, fired.GetValueOrDefault(entry.Rule))).ToList();
        }
    }

    internal FaultRule? Take(string method, string path)
    {
        lock (gate)
        {
            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                if (!entry.Rule.Matches(method, path))
                {
                    continue;
                }

                if (entry.Random is { } random)
                {
                    // Spared requests go on to the next rule.
                    if (random.NextDouble() >= entry.Rule.Probability)
                    {
                        continue;
                    }
                }
                else if (--entry.Remaining == 0)
                {
                    entries.RemoveAt(i);
                }

                fired[entry.Rule] = fired.GetValueOrDefault(entry.Rule) + 1;
                return entry.Rule;
            }

            return null;
        }
    }

    private sealed class Entry(FaultRule rule)
    {
        public FaultRule Rule { get; } = rule;

        public int Remaining { get; set; } = rule.Count;

        // Seeded, so that the draws repeat from run to run.
        public Random? Random { get; } = rule.Probability is null ? null : new Random(rule.Seed);
    }
}
