// Loads demo data into a running pipeline, runs it once, and prints what a user should look at.
// Used by ./run.sh; needs only Node (built-in fetch). Every step says what it does and what went wrong.
// Keys come from the environment (Auth__StaffKeys__0, as the function app reads them), never from the command
// line, and are never printed: RUN_KEYS_HINT says where the user finds them.
import { parseArgs } from "node:util";

const { values: opts } = parseArgs({
  options: {
    base: { type: "string", default: "http://localhost:7071" },
    demo: { type: "string", default: "1" },
    simulator: { type: "string", default: "" },
  },
});
const base = opts.base.replace(/\/$/, "");
const staffKey = process.env.Auth__StaffKeys__0;
if (!staffKey) {
  console.error("demo: set Auth__StaffKeys__0 (a staff key of the running function app) in the environment");
  process.exit(2);
}
const keysHint = process.env.RUN_KEYS_HINT || "the Auth__StaffKeys__0 / Auth__AnalystKeys__0 settings of the function app";
const staff = { Authorization: `Bearer ${staffKey}` };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function call(method, path, { headers = {}, body, ok = [200] } = {}) {
  const res = await fetch(base + path, { method, headers: { ...staff, ...headers }, body });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!ok.includes(res.status)) {
    const why = json?.detail ?? json?.title ?? text.slice(0, 200);
    throw new Error(`${method} ${path} answered ${res.status}: ${why}`);
  }
  return { status: res.status, json };
}

async function runFunction(name) {
  await call("POST", `/admin/functions/${name}`, {
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ input: "" }),
    ok: [202],
  });
}

async function functionExists(name) {
  const res = await fetch(`${base}/admin/functions`);
  if (!res.ok) return false;
  const list = await res.json();
  return JSON.stringify(list).includes(`"${name}"`);
}

async function loadRegistry() {
  if (!opts.simulator) {
    console.log("    (PublicData__BaseUrl is set: no simulator registry to load; import your own CSV with PUT /api/suppliers)");
    return false;
  }
  const csv = await (await fetch(`${opts.simulator.replace(/\/$/, "")}/sim/registry.csv`)).text();
  const { json } = await call("PUT", "/api/suppliers", { headers: { "Content-Type": "text/csv" }, body: csv });
  console.log(`    registry: ${json.created} created, ${json.updated} updated, ${json.unchanged} unchanged, ${json.rejected.length} rejected`);
  for (const r of json.rejected.slice(0, 5)) console.log(`      line ${r.line} ${r.id ?? ""}: ${r.error}`);
  return true;
}

async function syncOnce() {
  const before = (await call("GET", "/api/sync-runs/latest", { ok: [200, 404] })).json?.runId;
  await runFunction("ScheduleSupplierSync");
  const started = Date.now();
  let last = "";
  while (Date.now() - started < 10 * 60_000) {
    const { status, json: run } = await call("GET", "/api/sync-runs/latest", { ok: [200, 404] });
    if (status === 200 && run.runId !== before) {
      const line = `    sync ${run.runId}: ${run.entitiesSynced + run.entitiesFailed}/${run.entitiesTotal} entities (${run.entitiesFailed} failed) — ${run.status}${run.outcome ? ` (${run.outcome})` : ""}${run.error ? `: ${run.error}` : ""}`;
      if (line !== last) { console.log(line); last = line; }
      if (run.status !== "running") return run;
    }
    await sleep(500);
  }
  throw new Error("the sync run did not finish within 10 minutes");
}

// RollupProgress runs in the background (the admin call answers 202): wait for a rollup newer than the sync.
async function waitForRollup(after) {
  const started = Date.now();
  let last = { status: 404 };
  while (Date.now() - started < 60_000) {
    last = await call("GET", "/api/progress", { ok: [200, 404] });
    if (last.status === 200 && new Date(last.json.asOf) >= new Date(after.getTime() - 1000)) return last;
    await sleep(500);
  }
  return last;
}

// SweepPlanDeadlines also runs in the background: wait until the alerts it stores stop growing.
async function waitForSweep() {
  const started = Date.now();
  let last = await call("GET", "/api/alerts", { ok: [200, 404] });
  while (Date.now() - started < 60_000) {
    await sleep(1000);
    const next = await call("GET", "/api/alerts", { ok: [200, 404] });
    if (next.status !== 200 || (last.status === 200 && next.json.items.length === last.json.items.length)) return next;
    last = next;
  }
  return last;
}

// The host answers on its port at once; the worker starts behind it. Wait until the host says it runs
// and the app serves its routes (the dashboard page needs no key).
async function waitForApp() {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      const status = await fetch(`${base}/admin/host/status`);
      if (status.ok && (await status.json()).state === "Running") {
        const page = await fetch(`${base}/api/dashboard`);
        await page.arrayBuffer();
        if (page.ok) return;
      }
    } catch { /* not listening yet */ }
    await sleep(250);
  }
  throw new Error(`the function app at ${base} did not become ready (see .run/functions.log)`);
}

async function main() {
  console.log();
  await waitForApp();
  if (opts.demo === "1") {
    console.log("==> loading demo data");
    await loadRegistry();
  }
  console.log("==> running the pipeline once");
  await syncOnce();
  const rolledUpAfter = new Date();
  for (const name of ["SweepPlanDeadlines", "RollupProgress"]) {
    if (await functionExists(name)) {
      await runFunction(name);
      console.log(`    ${name} started`);
    }
  }
  const progress = await waitForRollup(rolledUpAfter);
  if (progress.status === 200) {
    const p = progress.json;
    console.log();
    console.log(`==> progress ${p.year} (as of ${p.asOf})`);
    console.log(`    PRTR   ${p.prtr.completed}/${p.prtr.target}  (subsidiaries ${p.prtr.subsidiaries}, suppliers ${p.prtr.suppliers})`);
    console.log(`    carbon ${p.carbon.completed}/${p.carbon.target}  (subsidiaries ${p.carbon.subsidiaries}, suppliers ${p.carbon.suppliers})`);
    const v = p.violations;
    console.log(`    cases: ${v.open} open, ${v.overdue} overdue, ${v.planSubmitted} plan submitted, ${v.planApproved} plan approved, ${v.removed} removed`);
    console.log(`    subsidiaries with active records: ${v.subsidiariesWithActiveRecords}; suppliers that completed a removal: ${v.suppliersCompletedRemoval}`);
  }
  const overdue = await call("GET", "/api/violations?status=overdue", { ok: [200, 404] });
  if (overdue.status === 200) {
    const items = overdue.json.items;
    console.log();
    console.log(`==> overdue cases: ${items.length}`);
    for (const c of items.slice(0, 10)) console.log(`    ${c.supplierId} ${c.supplierName}  record ${c.recordId}  plan due ${c.planDueOn}`);
    if (items.length > 10) console.log(`    … and ${items.length - 10} more (GET /api/violations?status=overdue)`);
  }

  const alerts = await waitForSweep();
  if (alerts.status === 200) {
    const items = alerts.json.items;
    const overdueAlerts = items.filter((a) => a.type === "plan_overdue").length;
    console.log(`    alerts raised by the sweep: ${overdueAlerts} plan_overdue, ${items.length - overdueAlerts} plan_due_soon`);
  }

  console.log();
  console.log("==> look here");
  console.log(`    keys:          ${keysHint}`);
  console.log(`    dashboard:     ${base}/api/dashboard   (paste the analyst or staff key)`);
  console.log(`    import a registry: curl -X PUT -H "Authorization: Bearer $STAFF_KEY" -H 'Content-Type: text/csv' --data-binary @registry.csv ${base}/api/suppliers`);
  console.log(`    latest sync:   curl -H "Authorization: Bearer $STAFF_KEY" ${base}/api/sync-runs/latest`);
  console.log(`    run a function: curl -X POST -H 'Content-Type: application/json' -d '{"input":""}' ${base}/admin/functions/ScheduleSupplierSync`);
  if (opts.simulator) console.log(`    simulator:     ${opts.simulator}sim/stats  (change data: see tools/PublicDataSimulator/README.md)`);
  console.log(`    alerts:        curl -H "Authorization: Bearer $STAFF_KEY" ${base}/api/alerts`);
  if (!process.env.Alerts__WebhookUrl) console.log("    webhook:       none set, alerts are stored only; set Alerts__WebhookUrl=<receiver URL> to have them POSTed");
  else console.log(`    webhook:       alerts are POSTed to ${process.env.Alerts__WebhookUrl}`);
}

main().catch((err) => {
  console.error(`demo step failed: ${err.message}`);
  console.error("the stack keeps running; see .run/*.log");
});
