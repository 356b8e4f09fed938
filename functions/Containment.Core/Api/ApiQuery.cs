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
}
