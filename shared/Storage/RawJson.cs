using System.Globalization;
using System.Text;

namespace DisclosurePipeline.Storage;

/// <summary>
/// Rewrites the <c>\uXXXX</c> escapes of serialised JSON as raw UTF-8 wherever JSON allows the character raw (everything
/// but quote, backslash and U+0000–U+001F), so stored JSON is no larger than the text it holds: the serializer's
/// encoders escape surrogate pairs (12 bytes for a 4-byte emoji), U+007F–U+009F and some other characters.
/// </summary>
internal static class RawJson
{
    /// <summary>The same JSON, with every escape that need not be one written raw; an unpaired surrogate escape stays escaped.</summary>
    public static byte[] Unescape(byte[] json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.AsSpan().IndexOf("\\u"u8) < 0)
        {
            return json;
        }

        var output = new List<byte>(json.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < json.Length; i++)
        {
            if (json[i] != '\\' || i + 1 >= json.Length)
            {
                output.Add(json[i]);
                continue;
            }

            if (json[i + 1] != 'u' || !TryHex(json, i + 2, out var unit))
            {
                // Any other escape (\\, \", \n, …) is copied whole, so its second byte is never read as a new escape.
                output.Add(json[i]);
                output.Add(json[i + 1]);
                i++;
                continue;
            }

            Rune rune;
            var length = 6;
            if (char.IsHighSurrogate((char)unit) && i + 12 <= json.Length && json[i + 6] == '\\' && json[i + 7] == 'u'
                && TryHex(json, i + 8, out var low) && char.IsLowSurrogate((char)low))
            {
                rune = new Rune((char)unit, (char)low);
                length = 12;
            }
            else if (!char.IsSurrogate((char)unit) && unit >= 0x20 && unit is not '"' and not '\\')
            {
                rune = new Rune(unit);
            }
            else
            {
                for (var k = 0; k < 6; k++)
                {
                    output.Add(json[i + k]);
                }

                i += 5;
                continue;
            }

            var written = rune.EncodeToUtf8(utf8);
            for (var k = 0; k < written; k++)
            {
                output.Add(utf8[k]);
            }

            i += length - 1;
        }

        return [.. output];
    }

    private static bool TryHex(byte[] json, int start, out int value)
    {
        value = 0;
        return start + 4 <= json.Length
            && int.TryParse(Encoding.ASCII.GetString(json, start, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }
}
