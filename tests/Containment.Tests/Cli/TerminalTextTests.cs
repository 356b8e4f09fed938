using Containment.Local.Cli;

namespace Containment.Tests.Cli;

public sealed class TerminalTextTests
{
    [Fact]
    public void Table_CellWithEscapeSequenceAndLineBreak_ShowsTheirCodes_OneLinePerRow()
    {
        var table = Table.Render(["ID", "BY"], [["a~b~c", "Ana\u001b[2J\r\nroot"], ["d~e~f", "\u202Enimda"]]);

        Assert.Equal(
            """
            ID     BY
            a~b~c  Ana\u001B[2J\u000D\u000Aroot
            d~e~f  \u202Enimda

            """.ReplaceLineEndings(Environment.NewLine),
            table);
    }

    [Theory]
    [InlineData("plain text, ünïcode and \U0001F6A8")]
    [InlineData("")]
    public void Shown_TextWithoutControls_IsTheSameText(string text) => Assert.Same(text, TerminalText.Shown(text));
}
