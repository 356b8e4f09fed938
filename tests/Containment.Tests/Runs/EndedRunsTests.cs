using Containment.Runs;
using Containment.Runs.Embedded;

namespace Containment.Tests.Runs;

public sealed class EndedRunsTests
{
    private static readonly DateTimeOffset Started = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset At = new(2026, 11, 23, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Add_PastCapacity_ForgetsTheOldestEnding()
    {
        var ended = new EndedRuns(capacity: 2);

        ended.Add("a", new RunProgress("malware", Started, At));
        ended.Add("b", new RunProgress("malware", Started, At.AddMinutes(1)));
        ended.Add("c", new RunProgress("malware", Started, At.AddMinutes(2)));

        Assert.Null(ended.Get("a"));
        Assert.Equal(At.AddMinutes(1), ended.Get("b")?.EndedAt);
        Assert.Equal(At.AddMinutes(2), ended.Get("c")?.EndedAt);
    }

    [Fact]
    public void Remove_RunStartedAgain_NoEndingKnown()
    {
        var ended = new EndedRuns(capacity: 2);
        ended.Add("a", new RunProgress("malware", Started, At));

        ended.Remove("a");

        Assert.Null(ended.Get("a"));
    }
}
