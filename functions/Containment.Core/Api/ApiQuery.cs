using System.Globalization;
using Containment.Ledger;

namespace Containment.Api;

/// <summary>Typed query values, with a 400 that names the value when it cannot be read.</summary>
public static class ApiQuery
{
    public static (TEnum? Value, ApiResponse? Error) Enum<TEnum>(ApiRequest request, string name)
        where TEnum : struct, System.Enum
    {
        var text = request.QueryValue(name);
        if (text is null)
        {
            return (null, null);
        }

        return KebabCaseEnumConverter.TryParse<TEnum>(text, out var value)
            ? (value, null)
            : (null, ApiResponse.Error(400, $"unknown {name} '{text}'", new ApiErrorDetail(name,
                $"expected one of: {string.Join(", ", System.Enum.GetValues<TEnum>().Select(KebabCaseEnumConverter.ToWireName))}")));
    }

    /// <summary>A list's page: <c>limit</c> (1 to <see cref="Ledger.Page.MaxLimit"/>) and <c>cursor</c> (the <c>next</c> of the page before).</summary>
    public static (int Limit, PageCursor? After, ApiResponse? Error) PageOf(ApiRequest request)
    {
        var (limit, error) = Int(request, "limit", Ledger.Page.DefaultLimit, 1, Ledger.Page.MaxLimit);
        if (error is not null)
        {
            return (limit, null, error);
        }

        if (request.QueryValue("cursor") is not { } cursor)
        {
            return (limit, null, null);
        }

        return PageCursor.TryParse(cursor, out var after)
            ? (limit, after, null)
            : (limit, null, ForeignCursor);
    }

    /// <summary>A <c>cursor</c> that no page of this list gave.</summary>
    public static ApiResponse ForeignCursor { get; } =
        ApiResponse.Error(400, "cursor is not one this API gave", new ApiErrorDetail("cursor", "expected the next of the page before, unchanged"));

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>; <paramref name="absent"/> when not given.</summary>
    private static (int Value, ApiResponse? Error) Int(ApiRequest request, string name, int absent, int min, int max)
    {
        var text = request.QueryValue(name);
        if (text is null)
        {
            return (absent, null);
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? (value, null)
            : (absent, ApiResponse.Error(400, $"{name} '{text}' is not a whole number from {min} to {max}", new ApiErrorDetail(name, $"expected a whole number from {min} to {max}")));
    }
}
