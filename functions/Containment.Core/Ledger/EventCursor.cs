using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Containment.Ledger;

/// <summary>
/// A place in the list of security events, newest first: its arrival, and its id to order events that arrived at the
/// same moment. A page that had more to give names its last event's place; the next page begins after it.
/// </summary>
public readonly record struct EventCursor(DateTimeOffset ReceivedAt, string Id)
{
    /// <summary>Newest first; among events that arrived at the same moment, by id.</summary>
    public static readonly IComparer<EventCursor> NewestFirst = Comparer<EventCursor>.Create(static (x, y) =>
    {
        var byArrival = y.ReceivedAt.UtcTicks.CompareTo(x.ReceivedAt.UtcTicks);
        return byArrival != 0 ? byArrival : string.CompareOrdinal(x.Id, y.Id);
    });

    public static EventCursor Of(SecurityEventRecord record) => new(record.ReceivedAt, record.Id);

    /// <summary>Whether <paramref name="record"/> comes after this place, newest first.</summary>
    public bool Precedes(SecurityEventRecord record) => NewestFirst.Compare(this, Of(record)) < 0;

    /// <summary>The cursor as the API gives it: opaque to clients, safe in a query string.</summary>
    public string ToToken() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{ReceivedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}|{Id}"));

    /// <summary>Reads a token <see cref="ToToken"/> made; false for anything else.</summary>
    public static bool TryParse(string token, out EventCursor cursor)
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

        cursor = new EventCursor(new DateTimeOffset(ticks, TimeSpan.Zero), text[(separator + 1)..]);
        return true;
    }
}
