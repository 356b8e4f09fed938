using Containment.Ledger;
using Microsoft.Extensions.Time.Testing;

namespace Containment.Tests.Ledger;

public sealed class JoinedEventMarksTests
{
    private static readonly DateTimeOffset ProcessStart = new(2026, 11, 24, 3, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset RunStart = ProcessStart.AddSeconds(1);

    [Fact]
    public void OneProcess_NothingJoinedTheRun_ItsIsolationDoesNotList()
    {
        var marks = JoinedEventMarks.OneProcess(new FakeTimeProvider(ProcessStart));

        Assert.False(marks.Listing("pod-a", RunStart));
    }

    [Fact]
    public void OneProcess_AJoinNotedTheRun_ItsIsolationListsOnce_NotAnotherRunsOrPods()
    {
        var marks = JoinedEventMarks.OneProcess(new FakeTimeProvider(ProcessStart));

        marks.Joining("pod-a", RunStart);

        Assert.False(marks.Listing("pod-b", RunStart));
        Assert.False(marks.Listing("pod-a", RunStart.AddSeconds(1)));
        Assert.True(marks.Listing("pod-a", RunStart));
        Assert.False(marks.Listing("pod-a", RunStart));
    }

    [Fact]
    public void OneProcess_AListingThatFailed_IsListedAgainOnce()
    {
        var marks = JoinedEventMarks.OneProcess(new FakeTimeProvider(ProcessStart));
        marks.Joining("pod-a", RunStart);
        Assert.True(marks.Listing("pod-a", RunStart));

        marks.ListingFailed("pod-a", RunStart);

        Assert.True(marks.Listing("pod-a", RunStart));
        Assert.False(marks.Listing("pod-a", RunStart));
        Assert.True(marks.HasListed("pod-a", RunStart));
    }

    [Fact]
    public void OneProcess_AJoinAsksWhetherTheIsolationListed_KnownForItsOwnRunOnly()
    {
        var marks = JoinedEventMarks.OneProcess(new FakeTimeProvider(ProcessStart));

        Assert.False(marks.HasListed("pod-a", RunStart));
        marks.Listing("pod-a", RunStart);

        Assert.True(marks.HasListed("pod-a", RunStart));
        Assert.False(marks.HasListed("pod-a", RunStart.AddSeconds(1)));
        Assert.False(marks.HasListed("pod-b", RunStart));
    }

    [Fact]
    public void OneProcess_RunStartedNoLaterThanTheProcess_Unknown_ListedAndAskedOfStorage()
    {
        var marks = JoinedEventMarks.OneProcess(new FakeTimeProvider(ProcessStart));

        Assert.True(marks.Listing("pod-a", ProcessStart.AddMinutes(-5)));
        Assert.True(marks.Listing("pod-a", ProcessStart));
        Assert.Null(marks.HasListed("pod-a", ProcessStart));
    }

    [Fact]
    public void Shared_EveryIsolationLists_EveryJoinAsksStorage()
    {
        var marks = JoinedEventMarks.Shared();
        marks.Listing("pod-a", RunStart);

        Assert.True(marks.Listing("pod-a", RunStart));
        Assert.Null(marks.HasListed("pod-a", RunStart));
    }

    [Fact]
    public void OneProcess_PastItsCapacity_ForgetsRunsStartedUntilThen_KeepsKnowingLaterOnes()
    {
        var time = new FakeTimeProvider(ProcessStart);
        var marks = JoinedEventMarks.OneProcess(time);
        marks.Listing("listed-before", RunStart);
        time.Advance(TimeSpan.FromMinutes(1));
        for (var pod = 0; pod <= JoinedEventMarks.Capacity; pod++)
        {
            marks.Joining("pod-" + pod, RunStart);
        }

        var later = time.GetUtcNow().AddSeconds(1);
        Assert.True(marks.Listing("never-joined", RunStart));
        Assert.Null(marks.HasListed("listed-before", RunStart));
        Assert.False(marks.Listing("never-joined", later));
        marks.Joining("pod-a", later);
        Assert.True(marks.Listing("pod-a", later));
        Assert.True(marks.HasListed("pod-a", later));
    }
}
