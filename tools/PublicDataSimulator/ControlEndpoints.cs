using System.Globalization;
using System.Text;
using DisclosurePipeline.Domain;

namespace PublicDataSimulator;

/// <summary>
/// The simulator's own control plane under <c>/sim</c> (no API key): demo registry, faults, counters, and
/// mutations that append to the change feed.
/// </summary>
internal static class ControlEndpoints
{
    public static void MapControlPlane(this WebApplication app, SimulatorSettings settings)
    {
        var sim = app.MapGroup("/sim");

        sim.MapGet("/info", (PlatformStore store) => Results.Json(new
        {
            entities = settings.Entities,
            seed = settings.Seed,
            year = settings.Year,
            pagingEnterpriseId = settings.Entities > DataGenerator.PagingIndex ? store.Data.Entity(DataGenerator.PagingIndex).Id : null,
            pagingRecordCount = DataGenerator.PagingRecordCount,
            pageSize = ApiEndpoints.PageSize,
        }));

        sim.MapGet("/registry.csv", (int? count, PlatformStore store) =>
        {
            var n = Math.Clamp(count ?? settings.Entities, 0, settings.Entities);
            var csv = new StringBuilder("id,name,kind,tier,region,contactEmail\n", 64 + (n * 96));
            for (var i = 0; i < n; i++)
            {
                var e = store.Data.Entity(i);
                csv.Append(CultureInfo.InvariantCulture, $"{e.Id},{e.Name},{(e.Subsidiary ? "subsidiary" : "supplier")},{e.Tier},{e.City.Name},{e.ContactEmail}\n");
            }

            return Results.Text(csv.ToString(), "text/csv; charset=utf-8", Encoding.UTF8);
        });

        sim.MapGet("/faults", (FaultInjector faults) => Results.Json(faults.Settings));
        sim.MapPut("/faults", async (HttpRequest request, FaultInjector faults) =>
        {
            var (update, error) = await ApiEndpoints.ReadAsync<FaultSettings>(request);
            if (error is not null)
            {
                return error;
            }

            if (update!.Validate() is { } problem)
            {
                return Problems.BadRequest(problem);
            }

            faults.Settings = update;
            return Results.Json(update);
        });

        sim.MapGet("/stats", (FaultInjector faults) => Results.Json(faults.Stats()));
        sim.MapPost("/stats/reset", (FaultInjector faults) =>
        {
            faults.ResetStats();
            return Results.Json(faults.Stats());
        });

        sim.MapPost("/records", async (HttpRequest request, PlatformStore store) =>
        {
            var (body, error) = await ApiEndpoints.ReadAsync<NewRecordRequest>(request);
            if (error is not null)
            {
                return error;
            }

            if (body!.EnterpriseId is not { } id || store.FindOnPlatform(id) is not { } entity)
            {
                return Problems.NotFound($"no enterprise '{body.EnterpriseId}' on the platform");
            }

            if (body.Category is { } category && !ViolationCategories.All.Contains(category))
            {
                return Problems.BadRequest("category must be one of " + string.Join(", ", ViolationCategories.All));
            }

            var record = store.AddRecord(entity, r => r with
            {
                Authority = body.Authority ?? r.Authority,
                DocumentNumber = body.DocumentNumber ?? r.DocumentNumber,
                Category = body.Category ?? r.Category,
                Summary = body.Summary ?? r.Summary,
                PenaltyAmountCny = body.PenaltyAmountCny ?? r.PenaltyAmountCny,
                IssuedOn = body.IssuedOn ?? r.IssuedOn,
                PublishedAt = body.PublishedAt?.ToOffset(SimulatorSettings.ChinaOffset) ?? r.PublishedAt,
            });
            return Results.Json(WireRecord.From(record), statusCode: StatusCodes.Status201Created);
        });

        sim.MapPost("/records/{recordId}/remove", (string recordId, PlatformStore store) => SetRemoved(store, recordId, removed: true));
        sim.MapPost("/records/{recordId}/restore", (string recordId, PlatformStore store) => SetRemoved(store, recordId, removed: false));

        sim.MapPut("/disclosures/{enterpriseId}", async (string enterpriseId, HttpRequest request, PlatformStore store) =>
        {
            var (body, error) = await ApiEndpoints.ReadAsync<DisclosureUpdate>(request);
            if (error is not null)
            {
                return error;
            }

            if (store.FindOnPlatform(enterpriseId) is not { } entity)
            {
                return Problems.NotFound($"no enterprise '{enterpriseId}' on the platform");
            }

            if ((body!.Prtr is { } p && !SimDisclosure.IsStatus(p)) || (body.Carbon is { } c && !SimDisclosure.IsStatus(c)))
            {
                return Problems.BadRequest("prtr and carbon must be none, in_progress or completed");
            }

            var year = body.Year ?? settings.Year;
            var (prtr, carbon) = store.SetDisclosures(entity, year, body.Prtr, body.Carbon);
            return Results.Json(new { enterpriseId, year, prtr = WireDisclosure.From(prtr), carbon = WireDisclosure.From(carbon) });
        });

        sim.MapGet("/enterprises/{id}", (string id, int? year, PlatformStore store) =>
        {
            if (store.Data.Find(id) is not { } entity)
            {
                return Problems.NotFound($"no generated enterprise '{id}'");
            }

            var y = year ?? settings.Year;
            var (prtr, carbon) = entity.OnPlatform ? store.Disclosures(entity, y) : (null, null);
            return Results.Json(new EnterpriseView(
                entity.Id, entity.Name, entity.OnPlatform, entity.Subsidiary ? "subsidiary" : "supplier", entity.Tier,
                entity.City.Name, entity.ContactEmail,
                entity.OnPlatform ? [.. store.Records(entity).Select(WireRecord.From)] : [],
                y, prtr is null ? null : WireDisclosure.From(prtr), carbon is null ? null : WireDisclosure.From(carbon)));
        });

        sim.MapPost("/changes/expire", (PlatformStore store) =>
        {
            store.ExpireCursors();
            return Results.NoContent();
        });
    }

    private static IResult SetRemoved(PlatformStore store, string recordId, bool removed) =>
        store.SetRemoved(recordId, removed) is { } record
            ? Results.Json(WireRecord.From(record))
            : Problems.NotFound($"no record '{recordId}'");
}
