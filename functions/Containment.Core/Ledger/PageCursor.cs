using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Containment.Ledger;

/// <summary>
/// A place in a list of records, newest first: the record's moment (an event's arrival, an isolation's last change),
/// and its id to order records of the same moment. A page that had more to give names its last record's place; the
/// next page begins after it.
/// </summary>
public readonly record struct PageCursor(DateTimeOffset At, string Id)
{
    /// <summary>Newest first; records of the same moment by id.</summary>
    public static readonly IComparer<PageCursor> NewestFirst = Comparer<PageCursor>.Create(static (x, y) =>
    {
        var byMoment = y.At.UtcTicks.CompareTo(x.At.UtcTicks);
        return byMoment != 0 ? byMoment : string.CompareOrdinal(x.Id, y.Id);
    });

    /// <summary>Whether <paramref name="place"/> comes after this place, newest first.</summary>
    public bool Precedes(PageCursor place) => NewestFirst.Compare(this, place) < 0;

    /// <summary>The cursor as the API gives it: opaque to clients, safe in a query string.</summary>
    public string ToToken() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{At.UtcTicks.ToString(CultureInfo.InvariantCulture)}|{Id}"));

    /// <summary>Reads a token <see cref="ToToken"/> made; false for anything else.</summary>
    public static bool TryParse(string token, out PageCursor cursor)
    {
        cursor = default;
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(token);
        }
        catch (FormatException)
        {
            return false;
        }

        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var separator = text.IndexOf('|', StringComparison.Ordinal);
        if (separator <= 0
            || !long.TryParse(text.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks
            || separator == text.Length - 1)
        {
            return false;
        }

        cursor = new PageCursor(new DateTimeOffset(ticks, TimeSpan.Zero), text[(separator + 1)..]);
        return true;
    }
}
