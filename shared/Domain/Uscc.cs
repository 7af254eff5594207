namespace DisclosurePipeline.Domain;

/// <summary>
/// The Unified Social Credit Code (GB 32100-2015): 18 characters from a 31-symbol alphabet
/// (digits and upper-case letters except I, O, Z, S, V), the last one a check character.
/// </summary>
public static class Uscc
{
    /// <summary>The code's alphabet, in the order that gives each symbol its value (0..30).</summary>
    public const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    /// <summary>The length of a code.</summary>
    public const int Length = 18;

    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// <summary>Checks a code exactly as written (no trimming, no case folding).</summary>
    /// <param name="value">The code.</param>
    /// <param name="error">Why it is not valid; null when it is.</param>
    /// <returns>True for a well-formed code with a correct check character.</returns>
    public static bool TryValidate(string? value, out string? error)
    {
        if (string.IsNullOrEmpty(value))
        {
            error = "id is required";
            return false;
        }

        if (value.Length != Length)
        {
            error = $"id must be {Length} characters, not {value.Length}";
            return false;
        }

        for (var i = 0; i < Length; i++)
        {
            if (Alphabet.IndexOf(value[i], StringComparison.Ordinal) < 0)
            {
                error = $"id has an invalid character '{value[i]}' at position {i + 1} (digits and upper-case letters except I, O, Z, S, V)";
                return false;
            }
        }

        var expected = CheckCharacter(value.AsSpan(0, Length - 1));
        if (value[Length - 1] != expected)
        {
            error = $"id has a wrong check character '{value[Length - 1]}' (expected '{expected}')";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>True when <paramref name="value"/> is a valid code.</summary>
    public static bool IsValid(string? value) => TryValidate(value, out _);

    /// <summary>Computes the check character for the first 17 characters of a code.</summary>
    /// <param name="first17">The 17 characters before the check character; all must be in <see cref="Alphabet"/>.</param>
    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        if (first17.Length != Length - 1)
        {
            throw new ArgumentException($"expected {Length - 1} characters", nameof(first17));
        }

        var sum = 0;
        for (var i = 0; i < first17.Length; i++)
        {
            var v = Alphabet.IndexOf(first17[i], StringComparison.Ordinal);
            if (v < 0)
            {
                throw new ArgumentException($"invalid character '{first17[i]}'", nameof(first17));
            }

            sum += v * Weights[i];
        }

        var check = (31 - (sum % 31)) % 31;
        return Alphabet[check];
    }

    /// <summary>
    /// The storage shard ("00".."15") an entity's rows live in: a stable FNV-1a hash of the code.
    /// Entities, cases and plans of one entity share a shard, so a sync batch (ids of one shard)
    /// reads and writes single partitions.
    /// </summary>
    public static string Shard(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var hash = 2166136261u;
        foreach (var c in id)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return (hash % ShardCount).ToString("00", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>How many shards entity-keyed tables are spread over.</summary>
    public const int ShardCount = 16;
}
