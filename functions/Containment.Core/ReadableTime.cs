using System.Globalization;

namespace Containment;

/// <summary>A moment as people read it in messages, pages and health: <c>2026-11-24 03:00:00 UTC</c>.</summary>
public static class ReadableTime
{
    public static string Of(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
