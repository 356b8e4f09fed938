using System.Globalization;
using Azure.Data.Tables;

namespace Containment.Ledger;

/// <summary>
/// Where a poison record is kept. Its id is the moment it was received (UTC ticks) and a random suffix; its partition is
/// the day and its row the moment, both counted down from the largest there is, so that Table Storage, which returns
/// rows in ascending key order, returns the newest first.
/// </summary>
public readonly record struct PoisonKey
{
    private const string DayPrefix = "day-";

    /// <summary>The character after <see cref="DayPrefix"/>'s last: every partition of poison records sorts below it.</summary>
    private const string PastDays = "day.";

    private const int TickDigits = 19;

    private const int SuffixLength = 12;

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    private PoisonKey(long ticks, string suffix)
    {
        Id = $"{ticks.ToString("D19", CultureInfo.InvariantCulture)}-{suffix}";
        var day = DateOnly.FromDateTime(new DateTime(ticks, DateTimeKind.Utc));
        PartitionKey = DayPrefix + (DateOnly.MaxValue.DayNumber - day.DayNumber).ToString("D7", CultureInfo.InvariantCulture);
        RowKey = $"{(DateTimeOffset.MaxValue.UtcTicks - ticks).ToString("D19", CultureInfo.InvariantCulture)}-{suffix}";
    }

    public string Id { get; }

    public string PartitionKey { get; }

    public string RowKey { get; }

    public static PoisonKey New(DateTimeOffset receivedAt) => new(receivedAt.UtcTicks, Guid.NewGuid().ToString("N")[..SuffixLength]);

    /// <summary>Reads an id <see cref="New"/> made; false for anything else.</summary>
    public static bool TryParse(string id, out PoisonKey key)
    {
        key = default;
        if (id.Length != TickDigits + 1 + SuffixLength
            || id[TickDigits] != '-'
            || !long.TryParse(id.AsSpan(0, TickDigits), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks
            || id.AsSpan(TickDigits + 1).ContainsAnyExcept(LowerHex))
        {
            return false;
        }

        key = new PoisonKey(ticks, id[(TickDigits + 1)..]);
        return true;
    }

    /// <summary>The filter of every record after <paramref name="after"/>, newest first (null: every record).</summary>
    public static string After(PoisonKey? after) => after is { } place
        ? TableClient.CreateQueryFilter($"(PartitionKey eq {place.PartitionKey} and RowKey gt {place.RowKey}) or (PartitionKey gt {place.PartitionKey} and PartitionKey lt {PastDays})")
        : TableClient.CreateQueryFilter($"PartitionKey ge {DayPrefix} and PartitionKey lt {PastDays}");
}
