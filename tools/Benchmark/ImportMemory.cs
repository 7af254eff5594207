using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Benchmark;

/// <summary>
/// The registry import's memory against its row count, end to end: CSV files sent to <c>PUT /api/suppliers</c> through
/// the host process, while the worker process's resident memory is sampled from <c>/proc/&lt;pid&gt;/status</c>. Files,
/// smallest first: 10,000 rows of only <c>,</c>; 1,700,000 such rows (3.4 MB, the probe that once took the worker to
/// 1.26 GB and answered 323 MB); 100,000 valid rows (just under the 5 MB limit, all created). For each: the worker's
/// peak RSS over its RSS just before the request, the answer's size and status, and the time.
/// </summary>
internal static class ImportMemory
{
    private const string Header = "id,name,kind,tier,region,contactEmail\n";

    public static async Task<List<string>> RunAsync(Uri host, string staffKey, CancellationToken ct)
    {
        using var client = new HttpClient { BaseAddress = host, Timeout = TimeSpan.FromMinutes(10) };
        var status = JsonNode.Parse(await client.GetStringAsync("admin/host/status", ct))!;
        var worker = (int?)status["workerProcessId"] ?? throw new InvalidOperationException("the host's status names no worker process");
        var lines = new List<string> { $"registry import through the host, worker pid {worker}: peak RSS of the worker during PUT /api/suppliers over its RSS just before" };

        (string Name, Func<byte[]> Build)[] files =
        [
            ("10,000 rows of ','", () => Commas(10_000)),
            ("1,700,000 rows of ','", () => Commas(1_700_000)),
            ("100,000 valid rows", () => ValidRows(100_000)),
        ];
        var growth = new List<double>();
        foreach (var (name, build) in files)
        {
            var body = build();
            GC.Collect();
            await Task.Delay(500, ct);
            var before = ProcStatus.ReadKilobytes(worker, "VmRSS");
            long peak = before;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(
                async () =>
                {
                    while (!sampling.IsCancellationRequested)
                    {
                        peak = Math.Max(peak, ProcStatus.ReadKilobytes(worker, "VmRSS"));
                        await Task.Delay(5, CancellationToken.None);
                    }
                },
                CancellationToken.None);

            using var request = new HttpRequestMessage(HttpMethod.Put, "api/suppliers") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", staffKey);
            var clock = Stopwatch.StartNew();
            using var response = await client.SendAsync(request, ct);
            var answer = await response.Content.ReadAsByteArrayAsync(ct);
            clock.Stop();
            await sampling.CancelAsync();
            await sampler;

            var summary = (int)response.StatusCode == 200 ? JsonNode.Parse(answer)!.AsObject() : null;
            var grew = (peak - before) / 1024.0;
            growth.Add(grew);
            var counts = summary is null ? "" : FormattableString.Invariant(
                $" (created {summary["created"]}, rejected listed {summary["rejected"]!.AsArray().Count}, rejectedTotal {summary["rejectedTotal"]})");
            lines.Add(FormattableString.Invariant(
                $"  {name} ({body.Length / 1024.0 / 1024.0:0.00} MB): {(int)response.StatusCode} in {clock.Elapsed.TotalSeconds:0.0} s, answer {answer.Length / 1024.0:0.0} KB{counts}; worker RSS {before / 1024.0:0} MB before, peak {peak / 1024.0:0} MB (+{grew:0} MB)"));
            Say(lines[^1]);
        }

        lines.Add(FormattableString.Invariant($"  peak growth, 1,700,000 rows / 10,000 rows of ',': {growth[1] / Math.Max(1, growth[0]):0.0}x for 170x the rows"));
        Say(lines[^1]);
        return lines;
    }

    private static byte[] Commas(int rows)
    {
        var text = new StringBuilder(Header.Length + rows * 2).Append(Header);
        for (var i = 0; i < rows; i++)
        {
            text.Append(",\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Valid rows with distinct ids (check digits included) that fit under the 5 MB limit.</summary>
    private static byte[] ValidRows(int rows)
    {
        var text = new StringBuilder(Header);
        for (var i = 0; i < rows; i++)
        {
            text.Append(Code(i)).Append(",S").Append(i.ToString(CultureInfo.InvariantCulture)).Append(",supplier,,,\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>The n-th made-up unified social credit code: a fixed prefix, n in base 31, the check character.</summary>
    private static string Code(int n)
    {
        var digits = new char[7];
        for (var i = 6; i >= 0; i--)
        {
            digits[i] = DisclosurePipeline.Domain.Uscc.Alphabet[n % 31];
            n /= 31;
        }

        var first17 = "9133010000" + new string(digits);
        return first17 + DisclosurePipeline.Domain.Uscc.CheckCharacter(first17);
    }

    private static void Say(string line) => Console.WriteLine($"[{DateTimeOffset.UtcNow:HH:mm:ss}] {line}");
}
