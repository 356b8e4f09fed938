using Containment.Notifications;
using Containment.Notifications.Channels;

namespace Containment.Tests;

public sealed class TextCutTests
{
    private const string Emoji = "\U0001F6A8"; // two UTF-16 units

    [Theory]
    [InlineData("abcdef", 4, "abcd")]
    [InlineData("abc", 4, "abc")]
    [InlineData("abc" + Emoji + "x", 4, "abc")]
    [InlineData("abc" + Emoji + "x", 5, "abc" + Emoji)]
    public void ToLength_NeverSplitsACharacterOfTwoUnits(string text, int length, string expected) =>
        Assert.Equal(expected, TextCut.ToLength(text, length));

    [Theory]
    [InlineData("abcdef", 4, "abc…")]
    [InlineData("abcd", 4, "abcd")]
    [InlineData("ab" + Emoji + "cd", 4, "ab…")]
    public void WithEllipsis_MarksTheCut_WithinTheLength(string text, int length, string expected)
    {
        var cut = TextCut.WithEllipsis(text, length);

        Assert.Equal(expected, cut);
        Assert.InRange(cut.Length, 0, length);
    }

    [Fact]
    public void SlackHeader_CutAcrossAnEmoji_IsWholeCharacters()
    {
        var message = new NotificationMessage { Event = "isolated", Title = new string('t', 148) + Emoji + " more title", Summary = "s", Facts = [] };

        var header = (string)SlackBlocks.Render(message)["blocks"]![0]!["text"]!["text"]!;

        Assert.Equal(new string('t', 148) + "…", header);
        Assert.DoesNotContain(header, char.IsSurrogate);
    }
}
