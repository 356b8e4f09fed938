using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Containment.Ledger;

/// <summary>
/// Makes any text a legal Table Storage key: '/', '\', '#', '?', '%' and control characters are
/// percent-encoded (reversible), and a key that would pass 1 KiB is cut and completed with a hash.
/// </summary>
public static class TableKey
{
    private const int MaxKeyCharacters = 512; // keys are at most 1 KiB of UTF-16

    public static string Encode(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var character in text)
        {
            if (character is '/' or '\\' or '#' or '?' or '%' || char.IsControl(character))
            {
                builder.Append('%').Append(((int)character).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(character);
            }
        }

        if (builder.Length <= MaxKeyCharacters)
        {
            return builder.ToString();
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
        return builder.ToString(0, MaxKeyCharacters - hash.Length - 1) + "~" + hash;
    }
}
