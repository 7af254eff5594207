using System.Text;

namespace DisclosurePipeline.Tests.BadInput;

/// <summary>The bad-input matrix: every HTTP endpoint and role, with hostile and careless requests, and the answer each must get.</summary>
internal static class BadInputMatrix
{
    private const string PlansPath = "api/me/violations/{record}/plans";
    private const string UploadPath = "api/me/violations/{record}/plans/{plan}/document";
    private const string ReviewPath = "api/violations/{owner}/{record}/plans/{plan}/review";
    private const string DocumentPath = "api/violations/{owner}/{record}/plans/{plan}/document";
    private const string Json = "application/json";
    private const string Csv = "text/csv";
    private const string Pdf = "application/pdf";
    private const string ValidReview = """{"decision":"approve","comment":"ok"}""";
    private const string ValidCsvHeader = "id,name,kind\n";

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

    /// <summary>The endpoints: method, path, who may call it (staff, analyst, supplier, anyone), a body it would accept in shape.</summary>
    private static readonly (string Method, string Path, string Route, string[] Roles)[] Endpoints =
    [
        ("PUT", "api/suppliers", "suppliers", ["staff"]),
        ("GET", "api/suppliers", "suppliers", ["staff"]),
        ("GET", "api/suppliers/{owner}", "suppliers/{id}", ["staff"]),
        ("DELETE", "api/suppliers/{owner}", "suppliers/{id}", ["staff"]),
        ("POST", "api/suppliers/{owner}/reactivate", "suppliers/{id}/reactivate", ["staff"]),
        ("POST", "api/suppliers/{owner}/keys", "suppliers/{id}/keys", ["staff"]),
        ("GET", "api/suppliers/{owner}/keys", "suppliers/{id}/keys", ["staff"]),
        ("DELETE", "api/suppliers/{owner}/keys/no-such-key", "suppliers/{id}/keys/{keyId}", ["staff"]),
        ("GET", "api/sync-runs/latest", "sync-runs/latest", ["staff"]),
        ("GET", "api/violations", "violations", ["staff"]),
        ("GET", "api/me/violations", "me/violations", ["supplier"]),
        ("POST", PlansPath, "me/violations/{recordId}/plans", ["supplier"]),
        ("PUT", UploadPath, "me/violations/{recordId}/plans/{planId}/document", ["supplier"]),
        ("POST", ReviewPath, "violations/{supplierId}/{recordId}/plans/{planId}/review", ["staff"]),
        ("GET", DocumentPath, "violations/{supplierId}/{recordId}/plans/{planId}/document", ["staff"]),
        ("GET", "api/alerts", "alerts", ["staff"]),
        ("GET", "api/progress", "progress", ["staff", "analyst"]),
        ("GET", "api/progress/entities", "progress/entities", ["staff", "analyst"]),
        ("GET", "api/progress/history", "progress/history", ["staff", "analyst"]),
        ("GET", "api/dashboard", "dashboard", ["anyone"]),
        ("GET", "api/portal", "portal", ["anyone"]),
        ("GET", "api/workbench", "workbench", ["anyone"]),
    ];

    public static IReadOnlyDictionary<string, BadInputCase> Cases { get; } = Build().ToDictionary(c => c.Name, StringComparer.Ordinal);

    /// <summary>The case names, as MSTest data rows.</summary>
    public static IEnumerable<object[]> Names => Cases.Keys.Select(name => new object[] { name });

    private static IEnumerable<BadInputCase> Build()
    {
        foreach (var c in Authentication().Concat(Roles()).Concat(WrongMethods()).Concat(Plans()).Concat(Reviews())
                     .Concat(Documents()).Concat(RegistryCsv()).Concat(RouteIds()).Concat(Queries()).Concat(Limits()))
        {
            yield return c;
        }
    }

    private static IEnumerable<BadInputCase> Authentication()
    {
        var headers = new (string Name, string? Header)[]
        {
            ("no Authorization", null),
            ("empty bearer", "raw:Bearer "),
            ("Basic scheme", "raw:Basic c3RhZmY6c2VjcmV0"),
            ("unknown bearer", "raw:Bearer not-a-known-key"),
            ("forged supplier key", "raw:Bearer sk_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            ("two Authorization headers", "raw:Bearer e2e-staff-key\nBearer e2e-staff-key"),
            ("key without scheme", "raw:e2e-staff-key"),
        };
        foreach (var endpoint in Endpoints.Where(e => e.Roles[0] != "anyone"))
        {
            foreach (var (name, header) in headers)
            {
                var (contentType, body) = ShapelyBody(endpoint.Method, endpoint.Path);
                yield return new BadInputCase($"auth: {endpoint.Method} {endpoint.Route} with {name}", endpoint.Method, endpoint.Path, header ?? "none", contentType, body, 401);
            }
        }
    }

    private static IEnumerable<BadInputCase> Roles()
    {
        foreach (var endpoint in Endpoints.Where(e => e.Roles[0] != "anyone"))
        {
            var refused = new[] { "staff", "analyst", "owner" }.Where(caller => !endpoint.Roles.Contains(caller == "owner" ? "supplier" : caller));
            foreach (var caller in refused)
            {
                var (contentType, body) = ShapelyBody(endpoint.Method, endpoint.Path);
                yield return new BadInputCase($"role: {endpoint.Method} {endpoint.Route} as {caller}", endpoint.Method, endpoint.Path, caller, contentType, body, 403);
            }
        }
    }

    private static IEnumerable<BadInputCase> WrongMethods()
    {
        var callers = new[] { "none", "staff", "analyst", "owner" };
        var i = 0;
        foreach (var route in Endpoints.GroupBy(e => e.Route, StringComparer.Ordinal))
        {
            var served = route.Select(e => e.Method).Order(StringComparer.Ordinal).ToList();
            foreach (var method in Methods.Except(served))
            {
                yield return new BadInputCase($"method: {method} {route.Key}", method, route.First().Path, callers[i++ % callers.Length], null, null, 405)
                {
                    Allow = string.Join(", ", served),
                };
            }
        }
    }

    private static IEnumerable<BadInputCase> Plans()
    {
        BadInputCase Plan(string name, byte[] body, int status = 400, string? field = null, string? contentType = Json) =>
            new($"plan: {name}", "POST", PlansPath, "owner", contentType, () => body, status) { ErrorField = field };
        BadInputCase PlanText(string name, string json, int status = 400, string? field = null) => Plan(name, Encoding.UTF8.GetBytes(json), status, field);
        static string With(string property, string value) =>
            BadInputStack.PlanJson.Trim().Replace("\"summary\":\"更换阀门\"", $"\"summary\":\"更换阀门\",\"{property}\":{value}", StringComparison.Ordinal);
        static string Replace(string from, string to) => BadInputStack.PlanJson.Trim().Replace(from, to, StringComparison.Ordinal);
        static byte[] Bytes(string before, byte[] raw, string after) => [.. Encoding.UTF8.GetBytes(before), .. raw, .. Encoding.UTF8.GetBytes(after)];

        yield return Plan("empty body", [], field: "body");
        yield return PlanText("not JSON", "summary=x", field: "body");
        yield return PlanText("truncated JSON", BadInputStack.PlanJson.Trim()[..40], field: "body");
        yield return PlanText("a JSON array", "[]", field: "body");
        yield return PlanText("JSON null", "null", field: "body");
        yield return PlanText("a JSON string", "\"plan\"", field: "body");
        yield return PlanText("a number", "42", field: "body");
        yield return PlanText("an empty object", "{}", field: "summary");
        yield return PlanText("summary a number", Replace("\"summary\":\"更换阀门\"", "\"summary\":7"), field: "summary");
        yield return PlanText("summary blank", Replace("\"summary\":\"更换阀门\"", "\"summary\":\"   \""), field: "summary");
        yield return PlanText("summary over 4000 characters", Replace("\"summary\":\"更换阀门\"", $"\"summary\":\"{new string('字', 4001)}\""), field: "summary");
        yield return PlanText("summary with a BEL control character", Replace("\"summary\":\"更换阀门\"", "\"summary\":\"a\\u0007b\""), field: "summary");
        yield return PlanText("summary with a lone surrogate escape", Replace("\"summary\":\"更换阀门\"", "\"summary\":\"\\ud800\""), field: "summary");
        yield return Plan("summary with invalid UTF-8 bytes", Bytes("{\"summary\":\"bad", [0xC3, 0x28, 0xFF], "\",\"rootCause\":\"x\",\"actions\":[{\"description\":\"d\"}],\"expectedCompletionOn\":\"2030-01-01\"}"), field: "summary");
        yield return PlanText("owner with a lone surrogate escape", Replace("\"owner\":\"厂长\"", "\"owner\":\"\\udc00x\""), field: "actions[0].owner");
        yield return Plan("owner with invalid UTF-8 bytes", Bytes("{\"summary\":\"s\",\"rootCause\":\"x\",\"actions\":[{\"description\":\"d\",\"owner\":\"", [0xED, 0xA0, 0x80], "\"}],\"expectedCompletionOn\":\"2030-01-01\"}"), field: "actions[0].owner");
        yield return PlanText("unknown property name with a lone surrogate", With("x\\ud800", "1"), field: "body");
        yield return Plan("unknown property name with invalid UTF-8", Bytes("{\"", [0xFF, 0xFE], "\":1,\"summary\":\"s\"}"), field: "body");
        yield return PlanText("rootCause missing", Replace("\"rootCause\":\"阀门老化\",", ""), field: "rootCause");
        yield return PlanText("actions an object", Replace("\"actions\":[{\"description\":\"更换阀门\",\"owner\":\"厂长\",\"dueOn\":\"2030-01-31\"}]", "\"actions\":{}"), field: "actions");
        yield return PlanText("actions empty", Replace("\"actions\":[{\"description\":\"更换阀门\",\"owner\":\"厂长\",\"dueOn\":\"2030-01-31\"}]", "\"actions\":[]"), field: "actions");
        yield return PlanText("51 actions", Replace("\"actions\":[{\"description\":\"更换阀门\",\"owner\":\"厂长\",\"dueOn\":\"2030-01-31\"}]", "\"actions\":[" + string.Join(',', Enumerable.Repeat("{\"description\":\"d\"}", 51)) + "]"), field: "actions");
        yield return PlanText("action a string", Replace("\"actions\":[{\"description\":\"更换阀门\",\"owner\":\"厂长\",\"dueOn\":\"2030-01-31\"}]", "\"actions\":[\"do it\"]"), field: "actions[0]");
        yield return PlanText("dueOn not a date", Replace("\"dueOn\":\"2030-01-31\"", "\"dueOn\":\"31/01/2030\""), field: "actions[0].dueOn");
        yield return PlanText("expectedCompletionOn February 30", Replace("\"expectedCompletionOn\":\"2030-02-28\"", "\"expectedCompletionOn\":\"2030-02-30\""), field: "expectedCompletionOn");
        yield return PlanText("contact a string", Replace("\"contact\":{\"name\":\"李雷\",\"email\":\"li@example.com\"}", "\"contact\":\"李雷\""), field: "contact");
        yield return PlanText("contact email not an address", Replace("li@example.com", "li at example"), field: "contact.email");
        yield return PlanText("deeply nested unknown property", With("deep", new string('[', 200) + new string(']', 200)), status: 400, field: "body");
        yield return Plan("plan as text/plain", Encoding.UTF8.GetBytes(BadInputStack.PlanJson), 415, contentType: "text/plain");
        yield return Plan("plan without Content-Type", Encoding.UTF8.GetBytes(BadInputStack.PlanJson), 415, contentType: null);
        yield return Plan("plan declared UTF-16", Encoding.Unicode.GetBytes(BadInputStack.PlanJson), 415, contentType: "application/json; charset=utf-16");
        yield return Plan("plan one byte over 256 KB", PaddedPlan(256 * 1024 + 1), 413);
        yield return Plan("plan of 1 MB", PaddedPlan(1024 * 1024), 413);
        yield return new BadInputCase("plan: 300 KB sent chunked", "POST", PlansPath, "owner", Json, () => PaddedPlan(300 * 1024), 413) { Chunked = true };
    }

    private static IEnumerable<BadInputCase> Reviews()
    {
        BadInputCase Review(string name, byte[] body, int status = 400, string? field = null, string? contentType = Json) =>
            new($"review: {name}", "POST", ReviewPath, "staff", contentType, () => body, status) { ErrorField = field };
        BadInputCase ReviewText(string name, string json, int status = 400, string? field = null) => Review(name, Encoding.UTF8.GetBytes(json), status, field);

        yield return Review("empty body", [], field: "body");
        yield return ReviewText("not JSON", "approve", field: "body");
        yield return ReviewText("truncated JSON", "{\"decision\":\"appr", field: "body");
        yield return ReviewText("decision missing", "{}", field: "decision");
        yield return ReviewText("decision unknown", "{\"decision\":\"maybe\"}", field: "decision");
        yield return ReviewText("decision in upper case", "{\"decision\":\"APPROVE\"}", field: "decision");
        yield return ReviewText("decision a boolean", "{\"decision\":true}", field: "decision");
        yield return ReviewText("reject without a comment", "{\"decision\":\"reject\"}", field: "comment");
        yield return ReviewText("reject with a blank comment", "{\"decision\":\"reject\",\"comment\":\" \"}", field: "comment");
        yield return ReviewText("comment a number", "{\"decision\":\"reject\",\"comment\":5}", field: "comment");
        yield return ReviewText("comment over 4000 characters", $"{{\"decision\":\"reject\",\"comment\":\"{new string('x', 4001)}\"}}", field: "comment");
        yield return ReviewText("comment with a lone surrogate escape", "{\"decision\":\"reject\",\"comment\":\"\\ud800\"}", field: "comment");
        yield return Review("comment with invalid UTF-8 bytes", [.. "{\"decision\":\"reject\",\"comment\":\"x"u8, 0xC0, 0xAF, .. "\"}"u8], field: "comment");
        yield return ReviewText("comment with an ESC control character", "{\"decision\":\"reject\",\"comment\":\"\\u001b[31m\"}", field: "comment");
        yield return Review("review as form data", "decision=approve"u8.ToArray(), 415, contentType: "application/x-www-form-urlencoded");
        yield return Review("review over 64 KB", Encoding.UTF8.GetBytes($"{{\"decision\":\"reject\",\"comment\":\"{new string('x', 70_000)}\"}}"), 413);
    }

    private static IEnumerable<BadInputCase> Documents()
    {
        BadInputCase Upload(string name, Func<byte[]> body, int status, string? contentType = Pdf) =>
            new($"document: {name}", "PUT", UploadPath, "owner", contentType, body, status);

        yield return Upload("empty body", () => [], 400);
        yield return Upload("plain text", () => "hello"u8.ToArray(), 400);
        yield return Upload("HTML starting with %PDF-", () => "%PDF-1.7\n<html><script>alert(1)</script></html>\n%%EOF"u8.ToArray(), 400);
        yield return Upload("%PDF- without a version", () => "%PDF-x\n%%EOF"u8.ToArray(), 400);
        yield return Upload("truncated PDF without %%EOF", () => "%PDF-1.7\n1 0 obj << >> endobj\n"u8.ToArray(), 400);
        yield return Upload("%%EOF far from the end", () => [.. "%PDF-1.7\n%%EOF\n"u8, .. new byte[5000]], 400);
        yield return Upload("a PNG declared as PDF", () => [0x89, .. "PNG\r\n\u001a\n"u8], 400);
        yield return Upload("PDF declared as image/png", () => BadInputStack.Pdf, 415, "image/png");
        yield return Upload("PDF declared as text/html", () => BadInputStack.Pdf, 415, "text/html");
        yield return Upload("PDF without Content-Type", () => BadInputStack.Pdf, 415, null);
        yield return Upload("one byte over 10 MB", () => PaddedPdf(10 * 1024 * 1024 + 1), 413);
        yield return Upload("50 MB", () => PaddedPdf(50 * 1024 * 1024), 413);
        yield return new BadInputCase("document: 11 MB sent chunked", "PUT", UploadPath, "owner", Pdf, () => PaddedPdf(11 * 1024 * 1024), 413) { Chunked = true };
        yield return new BadInputCase("document: another supplier's plan", "PUT", UploadPath, "stranger", Pdf, () => BadInputStack.Pdf, 404);
    }

    private static IEnumerable<BadInputCase> RegistryCsv()
    {
        BadInputCase Import(string name, Func<byte[]> body, int status, string? contentType = Csv) =>
            new($"registry: {name}", "PUT", "api/suppliers", "staff", contentType, body, status);
        const string Row = "91350100M000100Y43,测试,supplier\n";

        yield return Import("empty body", () => [], 400);
        yield return Import("header without required columns", () => "name,kind\nx,supplier\n"u8.ToArray(), 400);
        yield return Import("id column twice", () => "id,name,kind,ID\n"u8.ToArray(), 400);
        yield return Import("UTF-16LE with BOM", () => [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(ValidCsvHeader + Row)], 415);
        yield return Import("UTF-16BE with BOM", () => [0xFE, 0xFF, .. Encoding.BigEndianUnicode.GetBytes(ValidCsvHeader + Row)], 415);
        yield return Import("UTF-16LE without BOM", () => Encoding.Unicode.GetBytes(ValidCsvHeader + Row), 415);
        yield return Import("GBK bytes", () => [.. Encoding.UTF8.GetBytes(ValidCsvHeader + "91350100M000100Y43,"), 0xB2, 0xE2, 0xCA, 0xD4, .. ",supplier\n"u8], 400);
        yield return Import("a lone invalid UTF-8 byte", () => [.. Encoding.UTF8.GetBytes(ValidCsvHeader + "91350100M000100Y43,bad"), 0xFF, .. "utf8,supplier\n"u8], 400);
        yield return Import("declared charset=utf-16", () => Encoding.UTF8.GetBytes(ValidCsvHeader + Row), 415, "text/csv; charset=utf-16");
        yield return Import("as application/json", () => "[]"u8.ToArray(), 415, Json);
        yield return Import("without Content-Type", () => Encoding.UTF8.GetBytes(ValidCsvHeader + Row), 415, null);
        yield return Import("one byte over 5 MB", () => PaddedCsv(5 * 1024 * 1024 + 1), 413);
        yield return Import("31 MB (over the worker's own Kestrel default)", () => PaddedCsv(31 * 1000 * 1000), 413);
        yield return new BadInputCase("registry: 6 MB sent chunked", "PUT", "api/suppliers", "staff", Csv, () => PaddedCsv(6 * 1024 * 1024), 413) { Chunked = true };
    }

    private static IEnumerable<BadInputCase> RouteIds()
    {
        var plan = Encoding.UTF8.GetBytes(BadInputStack.PlanJson);
        var review = Encoding.UTF8.GetBytes(ValidReview);
        string[] odd = ["..", "..%2F..%2Fsuppliers", "%2e%2e", "%01", "a%7Cb", "%E2%80%AE", new string('R', 600), "BM-NO-SUCH-RECORD", "{record}%20"];
        var i = 0;
        foreach (var id in odd)
        {
            yield return new BadInputCase($"route id: plan for record '{Short(id)}'", "POST", $"api/me/violations/{id}/plans", "owner", Json, () => plan, 404);
            yield return new BadInputCase($"route id: review of plan '{Short(id)}'", "POST", $"api/violations/{{owner}}/{{record}}/plans/{id}/review", "staff", Json, () => review, 404);
            yield return new BadInputCase($"route id: document of supplier '{Short(id)}'", "GET", $"api/violations/{id}/{{record}}/plans/{{plan}}/document", "staff", null, null, 404);
            if (i++ % 2 == 0)
            {
                yield return new BadInputCase($"route id: key for '{Short(id)}'", "POST", $"api/suppliers/{id}/keys", "staff", null, null, 404);
            }
        }

        yield return new BadInputCase("route id: key for a lower-case id", "POST", "api/suppliers/91350100m000100y43/keys", "staff", null, null, 404);
        yield return new BadInputCase("route id: key for an unregistered valid code", "POST", "api/suppliers/91350100M000100Y43/keys", "staff", null, null, 404);
        yield return new BadInputCase("route id: plan for another supplier's record", "POST", PlansPath, "stranger", Json, () => plan, 404);
        yield return new BadInputCase("route id: another supplier's case reviewed under the wrong supplier", "POST", "api/violations/{stranger}/{record}/plans/{plan}/review", "staff", Json, () => review, 404);
    }

    private static IEnumerable<BadInputCase> Queries()
    {
        (string Path, string Caller)[] paths =
        [
            ("api/progress?year=abc", "analyst"), ("api/progress?year=20245", "analyst"), ("api/progress?year=-1", "staff"),
            ("api/progress?year=1e3", "analyst"), ("api/progress/entities?format=xml", "analyst"), ("api/progress/entities?year=x&format=csv", "staff"),
            ("api/progress/history?year=%00", "analyst"), ("api/violations?status=bogus", "staff"), ("api/violations?status=OPEN", "staff"),
            ("api/alerts?since=yesterday", "staff"), ("api/alerts?since=2024-13-01", "staff"),
        ];
        return paths.Select(p => new BadInputCase($"query: {p.Path}", "GET", p.Path, p.Caller, null, null, 400));
    }

    private static IEnumerable<BadInputCase> Limits()
    {
        yield return new BadInputCase("limit: a URL of 5000 characters", "GET", "api/violations?supplierId=" + new string('x', 5000), "staff", null, null, 414);
        yield return new BadInputCase("limit: 40 KB of headers", "GET", "api/violations", "staff", null, null, 431)
        {
            Headers = new Dictionary<string, string> { ["X-Padding"] = new string('p', 40 * 1024) },
        };
        yield return new BadInputCase("limit: an unknown path", "GET", "api/no-such-endpoint", "staff", null, null, 404);
        yield return new BadInputCase("limit: extra segments on a route", "PUT", "api/suppliers/x/y/z", "staff", Csv, () => "id"u8.ToArray(), 404);
    }

    /// <summary>A body that would be accepted in shape (so only the caller decides the answer).</summary>
    private static (string? ContentType, Func<byte[]>? Body) ShapelyBody(string method, string path) => (method, path) switch
    {
        ("PUT", "api/suppliers") => (Csv, () => Encoding.UTF8.GetBytes(ValidCsvHeader)),
        ("POST", PlansPath) => (Json, () => Encoding.UTF8.GetBytes(BadInputStack.PlanJson)),
        ("PUT", UploadPath) => (Pdf, () => BadInputStack.Pdf),
        ("POST", ReviewPath) => (Json, () => Encoding.UTF8.GetBytes(ValidReview)),
        _ => (null, null),
    };

    /// <summary>A well-formed plan of exactly <paramref name="bytes"/> bytes (the padding in action descriptions).</summary>
    public static byte[] PaddedPlan(int bytes)
    {
        var head = "{\"summary\":\"s\",\"rootCause\":\"r\",\"expectedCompletionOn\":\"2030-01-01\",\"actions\":[";
        const string Tail = "]}";
        var actions = new List<string>();
        var room = bytes - head.Length - Tail.Length;
        const int Per = 5000;
        while (room > 0)
        {
            var overhead = "{\"description\":\"\"}".Length + (actions.Count > 0 ? 1 : 0);
            var text = Math.Min(Per, room - overhead);
            actions.Add(new string('d', Math.Max(1, text)));
            room -= overhead + Math.Max(1, text);
        }

        var json = head + string.Join(',', actions.Select(a => "{\"description\":\"" + a + "\"}")) + Tail;
        return Encoding.UTF8.GetBytes(json);
    }

    /// <summary>A PDF of exactly <paramref name="bytes"/> bytes (a comment line padded).</summary>
    public static byte[] PaddedPdf(int bytes)
    {
        var body = new byte[bytes];
        body.AsSpan().Fill((byte)'%');
        "%PDF-1.7\n"u8.CopyTo(body);
        "\n%%EOF\n"u8.CopyTo(body.AsSpan(bytes - 7));
        return body;
    }

    private static byte[] PaddedCsv(int bytes)
    {
        var body = new byte[bytes];
        body.AsSpan().Fill((byte)'x');
        "id,name,kind\n"u8.CopyTo(body);
        return body;
    }

    private static string Short(string id) => id.Length > 24 ? id[..8] + $"…({id.Length} chars)" : id;
}
