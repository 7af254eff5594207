namespace DisclosurePipeline.Tests.Infra;

/// <summary>How a setting the code reads matches the settings written down elsewhere.</summary>
internal enum SettingShape
{
    /// <summary>One key, e.g. <c>Pipeline__TimeZone</c>.</summary>
    Exact,

    /// <summary>A list bound by index: <c>Auth__StaffKeys</c> is set as <c>Auth__StaffKeys__0</c>, <c>__1</c>, …</summary>
    List,

    /// <summary>A whole section read as one (e.g. a client's settings): the key itself or anything under <c>Key__</c>.</summary>
    Section,
}

/// <summary>A setting the application code reads, and where the reading was found.</summary>
internal sealed record SettingRead(string Key, SettingShape Shape, string Source)
{
    /// <summary>Whether <paramref name="setting"/>, as written in a settings file or table, is this read.</summary>
    public bool Covers(string setting) => Shape switch
    {
        SettingShape.Exact => string.Equals(setting, Key, StringComparison.OrdinalIgnoreCase),
        SettingShape.List => setting.StartsWith(Key + "__", StringComparison.OrdinalIgnoreCase)
            && setting.Length > Key.Length + 2 && setting[(Key.Length + 2)..].All(char.IsAsciiDigit),
        SettingShape.Section => string.Equals(setting, Key, StringComparison.OrdinalIgnoreCase)
            || setting.StartsWith(Key + "__", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    public override string ToString() => Shape switch
    {
        SettingShape.List => Key + "__<n>",
        SettingShape.Section => Key + "[__*]",
        _ => Key,
    };
}
