namespace KubeSim;

/// <summary>Thread-safe list of pending faults; each matching request uses up one.</summary>
public sealed class FaultInjector
{
    private readonly Lock gate = new();
    private readonly List<(FaultRule Rule, int Remaining)> rules = [];

    public void Add(FaultRule rule)
    {
        lock (gate)
        {
            rules.Add((rule, rule.Count));
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            rules.Clear();
        }
    }

    internal FaultRule? Take(string method, string path)
    {
        lock (gate)
        {
            for (var i = 0; i < rules.Count; i++)
            {
                var (rule, remaining) = rules[i];
                if (string.Equals(rule.Method, method, StringComparison.OrdinalIgnoreCase)
                    && path.StartsWith(rule.PathPrefix, StringComparison.Ordinal))
                {
                    if (remaining <= 1)
                    {
                        rules.RemoveAt(i);
                    }
                    else
                    {
                        rules[i] = (rule, remaining - 1);
                    }

                    return rule;
                }
            }

            return null;
        }
    }
}
