using System.Globalization;
using DisclosurePipeline.Domain;

namespace PublicDataSimulator;

/// <summary>An enterprise as generated (registry facts and whether the platform knows it).</summary>
internal sealed record SimEntity(int Index, string Id, string Name, City City, bool Subsidiary, int Tier, string ContactEmail, bool OnPlatform);

/// <summary>A city: the registry region, the USCC's administrative division code, its environment bureau.</summary>
internal sealed record City(string Name, string DivisionCode, string Bureau, string DocumentPrefix);

/// <summary>A violation record as the platform holds it.</summary>
internal sealed record SimRecord(
    string RecordId,
    string EnterpriseId,
    string EnterpriseName,
    string Authority,
    string DocumentNumber,
    string Category,
    string Summary,
    decimal? PenaltyAmountCny,
    DateOnly IssuedOn,
    DateTimeOffset PublishedAt,
    bool Removed,
    DateTimeOffset? RemovedAt);

/// <summary>One disclosure's state: <c>none</c>, <c>in_progress</c> or <c>completed</c>.</summary>
internal sealed record SimDisclosure(string Status, DateTimeOffset? CompletedAt)
{
    public static SimDisclosure None { get; } = new("none", null);

    public static bool IsStatus(string? status) => status is "none" or "in_progress" or "completed";
}

/// <summary>
/// Deterministic data for any number of enterprises, generated on demand from (seed, index): nothing is
/// held per enterprise, so 100,000 enterprises cost nothing at start-up. The id encodes the index through
/// an affine permutation of the USCC's nine-character organisation code, so an id maps back to its index.
/// </summary>
internal sealed class DataGenerator
{
    /// <summary>The one enterprise with more than 500 records (paging).</summary>
    public const int PagingIndex = 1;

    /// <summary>How many records the paging enterprise has: three pages of 500.</summary>
    public const int PagingRecordCount = 1_203;

    /// <summary>Records published through <c>POST /sim/records</c> are numbered from here.</summary>
    public const long FirstAddedSequence = 8_000_000;

    private const long PagingSequenceBase = 9_000_000;
    private const int RecordsPerEntitySlot = 4;
    private const long BodySpace = 26_439_622_160_671; // 31^9: the nine-character organisation code's values
    private const long Multiplier = 16_339_843_012_347; // ~0.618 of 31^9, not a multiple of 31: invertible, spreads neighbours apart

    private static readonly City[] Cities =
    [
        new("深圳市", "440300", "深圳市生态环境局", "深环罚"),
        new("广州市", "440100", "广州市生态环境局", "穗环罚"),
        new("东莞市", "441900", "东莞市生态环境局", "东环罚"),
        new("佛山市", "440600", "佛山市生态环境局", "佛环罚"),
        new("苏州市", "320500", "苏州市生态环境局", "苏环罚"),
        new("无锡市", "320200", "无锡市生态环境局", "锡环罚"),
        new("南京市", "320100", "南京市生态环境局", "宁环罚"),
        new("杭州市", "330100", "杭州市生态环境局", "杭环罚"),
        new("宁波市", "330200", "宁波市生态环境局", "甬环罚"),
        new("上海市", "310000", "上海市生态环境局", "沪环罚"),
        new("天津市", "120000", "天津市生态环境局", "津环罚"),
        new("重庆市", "500000", "重庆市生态环境局", "渝环罚"),
        new("成都市", "510100", "成都市生态环境局", "成环罚"),
        new("武汉市", "420100", "武汉市生态环境局", "武环罚"),
        new("青岛市", "370200", "青岛市生态环境局", "青环罚"),
        new("厦门市", "350200", "厦门市生态环境局", "厦环罚"),
        new("合肥市", "340100", "合肥市生态环境局", "合环罚"),
        new("长沙市", "430100", "长沙市生态环境局", "长环罚"),
        new("郑州市", "410100", "郑州市生态环境局", "郑环罚"),
        new("西安市", "610100", "西安市生态环境局", "西环罚"),
    ];

    private static readonly (string Hanzi, string Pinyin)[] Syllables =
    [
        ("华", "hua"), ("鑫", "xin"), ("盛", "sheng"), ("达", "da"), ("恒", "heng"), ("瑞", "rui"), ("宏", "hong"),
        ("泰", "tai"), ("嘉", "jia"), ("明", "ming"), ("润", "run"), ("德", "de"), ("源", "yuan"), ("丰", "feng"),
        ("联", "lian"), ("创", "chuang"), ("金", "jin"), ("海", "hai"), ("天", "tian"), ("博", "bo"), ("远", "yuan"),
        ("利", "li"), ("通", "tong"), ("宇", "yu"), ("星", "xing"), ("力", "li"), ("祥", "xiang"), ("和", "he"),
        ("安", "an"), ("永", "yong"), ("信", "xin"), ("成", "cheng"), ("新", "xin"), ("晟", "sheng"), ("凯", "kai"),
        ("航", "hang"), ("锦", "jin"), ("康", "kang"), ("富", "fu"), ("立", "li"),
    ];

    private static readonly string[] Industries =
    [
        "电子科技", "精密机械", "化工", "新材料", "印染", "五金制品", "塑胶制品", "表面处理", "包装材料", "纺织",
        "汽车零部件", "光电科技", "电路板", "食品", "制药", "金属制品", "涂料", "线路板", "环保科技", "家具",
    ];

    private static readonly (string Category, string Law, string[] Summaries)[] Violations =
    [
        ("air", "《中华人民共和国大气污染防治法》", ["废气超标排放", "挥发性有机物无组织排放", "未按规定安装大气污染防治设施", "废气处理设施未正常运行"]),
        ("water", "《中华人民共和国水污染防治法》", ["超标排放废水", "通过暗管排放水污染物", "未依法取得排污许可证排放废水", "雨污管网混接导致废水外排"]),
        ("solid_waste", "《中华人民共和国固体废物污染环境防治法》", ["危险废物未按规定贮存", "未按规定转移一般工业固体废物", "危险废物管理台账缺失"]),
        ("noise", "《中华人民共和国噪声污染防治法》", ["厂界噪声超标", "夜间生产噪声扰民"]),
        ("eia", "《中华人民共和国环境影响评价法》", ["建设项目未批先建", "配套环保设施未验收即投入生产"]),
        ("other", "《中华人民共和国环境保护法》", ["未按规定公开环境信息", "拒绝、阻挠环境监督检查", "自动监测数据弄虚作假"]),
    ];

    private readonly ulong seed;
    private readonly long offset;
    private readonly long inverse;

    public DataGenerator(int entities, int seed, DateTimeOffset now, int year)
    {
        Entities = entities;
        Year = year;
        Now = now.ToOffset(SimulatorSettings.ChinaOffset);
        this.seed = (ulong)(uint)seed;
        offset = (long)(Mix(this.seed ^ 0xA5A5_5A5A_0F0F_F0F0UL) % (ulong)BodySpace);
        inverse = ModInverse(Multiplier, BodySpace);
    }

    /// <summary>How many enterprises exist (index 0..Entities-1).</summary>
    public int Entities { get; }

    /// <summary>The year whose disclosures are mostly done: ~60% PRTR, ~50% carbon completed.</summary>
    public int Year { get; }

    /// <summary>The simulator's start, in +08:00: generated dates lie before it.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>Enterprises in the registry the platform does not know (reported in <c>notFound</c>).</summary>
    public static bool IsUnknownToPlatform(int index) => index % 53 == 11;

    public SimEntity Entity(int index)
    {
        var rng = Rng(index, 1);
        var city = Cities[rng.Next(Cities.Length)];
        var first = Syllables[rng.Next(Syllables.Length)];
        var second = Syllables[rng.Next(Syllables.Length)];
        var industry = Industries[rng.Next(Industries.Length)];
        var suffix = rng.Chance(0.15) ? "股份有限公司" : "有限公司";
        var subsidiary = index != PagingIndex && rng.Chance(0.2);
        var tier = subsidiary || rng.Chance(0.6) ? 1 : 2;
        var body = ToBase31((long)(((Int128)index * Multiplier + offset) % BodySpace));
        var first17 = "91" + city.DivisionCode + body;
        var id = first17 + Uscc.CheckCharacter(first17);
        var email = string.Create(CultureInfo.InvariantCulture, $"ehs@{first.Pinyin}{second.Pinyin}{index}.example.cn");
        return new SimEntity(index, id, city.Name + first.Hanzi + second.Hanzi + industry + suffix, city, subsidiary, tier, email, !IsUnknownToPlatform(index));
    }

    /// <summary>The enterprise with this id, if it was generated.</summary>
    public SimEntity? Find(string id)
    {
        if (!Uscc.IsValid(id) || !id.StartsWith("91", StringComparison.Ordinal))
        {
            return null;
        }

        long body = 0;
        foreach (var c in id.AsSpan(8, 9))
        {
            body = (body * 31) + Uscc.Alphabet.IndexOf(c, StringComparison.Ordinal);
        }

        var index = (long)(((Int128)(body - offset + BodySpace) % BodySpace * inverse) % BodySpace);
        if (index >= Entities)
        {
            return null;
        }

        var entity = Entity((int)index);
        return entity.Id == id ? entity : null;
    }

    /// <summary>The enterprise owning a generated record id, if the id is one of the generated ones.</summary>
    public static int? GeneratedOwner(long sequence) => sequence switch
    {
        >= PagingSequenceBase and < PagingSequenceBase + PagingRecordCount => PagingIndex,
        >= 1 and < FirstAddedSequence => (int)((sequence - 1) / RecordsPerEntitySlot),
        _ => null,
    };

    /// <summary>The sequence number inside a record id <c>BM-YYYY-NNNNNNN</c>.</summary>
    public static long? Sequence(string recordId) =>
        recordId.Length > 8 && recordId.StartsWith("BM-", StringComparison.Ordinal) && recordId[7] == '-'
        && long.TryParse(recordId.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            ? sequence
            : null;

    public static string RecordId(DateTimeOffset publishedAt, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"BM-{publishedAt.Year:D4}-{sequence:D7}");

    /// <summary>The generated records of an enterprise: ~30% have 1–3; the paging enterprise has 1,203.</summary>
    public List<SimRecord> Records(SimEntity entity)
    {
        var records = new List<SimRecord>();
        if (!entity.OnPlatform)
        {
            return records;
        }

        if (entity.Index == PagingIndex)
        {
            for (var k = 0; k < PagingRecordCount; k++)
            {
                records.Add(Record(entity, PagingSequenceBase + k, Rng(entity.Index, 100 + k), removedShare: 0.9));
            }

            return records;
        }

        var rng = Rng(entity.Index, 2);
        if (!rng.Chance(0.3))
        {
            return records;
        }

        var count = 1 + rng.Next(3);
        for (var k = 0; k < count; k++)
        {
            records.Add(Record(entity, ((long)entity.Index * RecordsPerEntitySlot) + k + 1, Rng(entity.Index, 10 + k), removedShare: 0.06));
        }

        return records;
    }

    /// <summary>A new record for <c>POST /sim/records</c>, with generated defaults.</summary>
    public SimRecord NewRecord(SimEntity entity, long sequence, DateTimeOffset publishedAt)
    {
        var rng = Rng(entity.Index, (int)(sequence % int.MaxValue));
        var (category, summary, penalty) = Violation(ref rng);
        var issuedOn = DateOnly.FromDateTime(publishedAt.Date).AddDays(-1 - rng.Next(7));
        return new SimRecord(
            RecordId(publishedAt, sequence), entity.Id, entity.Name, entity.City.Bureau,
            DocumentNumber(entity.City, issuedOn.Year, ref rng), category, summary, penalty, issuedOn, publishedAt, false, null);
    }

    public static string DocumentNumber(City city, int year, ref SplitMix rng) =>
        string.Create(CultureInfo.InvariantCulture, $"{city.DocumentPrefix}〔{year}〕{1 + rng.Next(999)}号");

    /// <summary>The generated disclosure state of an enterprise for a year (before any change through the control plane).</summary>
    public (SimDisclosure Prtr, SimDisclosure Carbon) Disclosures(SimEntity entity, int year)
    {
        if (year > Year || year < 2000)
        {
            return (SimDisclosure.None, SimDisclosure.None);
        }

        var rng = Rng(entity.Index, 1_000_000 + year);
        var start = new DateTimeOffset(year, 1, 1, 9, 0, 0, SimulatorSettings.ChinaOffset);
        var end = new DateTimeOffset(year, 12, 31, 18, 0, 0, SimulatorSettings.ChinaOffset);
        if (end > Now)
        {
            end = Now;
        }

        return (Disclosure(ref rng, 0.60, 0.20, start, end), Disclosure(ref rng, 0.50, 0.25, start, end));
    }

    private static SimDisclosure Disclosure(ref SplitMix rng, double completed, double inProgress, DateTimeOffset start, DateTimeOffset end)
    {
        var roll = rng.NextDouble();
        if (roll < completed && end > start)
        {
            var at = start + TimeSpan.FromMinutes(Math.Floor((end - start).TotalMinutes * rng.NextDouble()));
            return new SimDisclosure("completed", at);
        }

        return roll < completed + inProgress ? new SimDisclosure("in_progress", null) : SimDisclosure.None;
    }

    private SimRecord Record(SimEntity entity, long sequence, SplitMix rng, double removedShare)
    {
        // Recent records (about one in six) fall inside or just past the 10-day plan deadline.
        var daysAgo = rng.Chance(0.16) ? 1 + rng.Next(20) : 21 + rng.Next(710);
        var localDay = Now.Date.AddDays(-daysAgo);
        var publishedAt = new DateTimeOffset(localDay.AddHours(8 + rng.Next(10)).AddMinutes(rng.Next(60)), SimulatorSettings.ChinaOffset);
        var issuedOn = DateOnly.FromDateTime(localDay).AddDays(-1 - rng.Next(14));
        var (category, summary, penalty) = Violation(ref rng);
        var documentNumber = DocumentNumber(entity.City, issuedOn.Year, ref rng);
        DateTimeOffset? removedAt = null;
        if (rng.Chance(removedShare))
        {
            var at = publishedAt.AddDays(7 + rng.Next(180)).AddMinutes(rng.Next(600));
            removedAt = at < Now ? at : publishedAt + ((Now - publishedAt) / 2);
            removedAt = removedAt.Value.AddTicks(-(removedAt.Value.Ticks % TimeSpan.TicksPerSecond));
        }

        return new SimRecord(
            RecordId(publishedAt, sequence), entity.Id, entity.Name, entity.City.Bureau, documentNumber,
            category, summary, penalty, issuedOn, publishedAt, removedAt is not null, removedAt);
    }

    private static (string Category, string Summary, decimal? Penalty) Violation(ref SplitMix rng)
    {
        var (category, law, summaries) = Violations[rng.Next(Violations.Length)];
        var summary = summaries[rng.Next(summaries.Length)] + "，违反" + law + "有关规定";
        decimal? penalty = rng.Chance(0.15) ? null : (10 + rng.Next(990)) * 1000 * 1.00m;
        return (category, summary, penalty);
    }

    private SplitMix Rng(int index, int salt) => new(Mix(seed * 0x9E37_79B9_7F4A_7C15UL ^ Mix(((ulong)(uint)index << 32) | (uint)salt)));

    private static ulong Mix(ulong z)
    {
        z += 0x9E37_79B9_7F4A_7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }

    private static string ToBase31(long value)
    {
        Span<char> chars = stackalloc char[9];
        for (var i = 8; i >= 0; i--)
        {
            chars[i] = Uscc.Alphabet[(int)(value % 31)];
            value /= 31;
        }

        return new string(chars);
    }

    private static long ModInverse(long a, long m)
    {
        Int128 t = 0, newT = 1, r = m, newR = a;
        while (newR != 0)
        {
            var q = r / newR;
            (t, newT) = (newT, t - (q * newT));
            (r, newR) = (newR, r - (q * newR));
        }

        return (long)(t < 0 ? t + m : t);
    }
}

/// <summary>A tiny deterministic generator (SplitMix64): the same seed gives the same data on every run and runtime.</summary>
internal struct SplitMix(ulong state)
{
    private ulong state = state;

    public ulong NextULong()
    {
        var z = state += 0x9E37_79B9_7F4A_7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }

    public int Next(int exclusiveMax) => (int)(NextULong() % (ulong)exclusiveMax);

    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    public bool Chance(double probability) => NextDouble() < probability;
}
