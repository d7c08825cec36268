// Drives the console in Debian's Chromium (playwright-core, never a downloaded browser) the way
// a user would, and prints what the page showed as one JSON object on stdout; test_console.py
// compares it with what boto3 gets from the same server. Screenshots go to the artifacts
// directory. Usage: node drive.mjs ENDPOINT ARTIFACTS_DIR
import { mkdirSync } from "node:fs";
import { launch } from "./browser.mjs";

const [endpoint, artifacts] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });

const browser = await launch();
const seen = { console_errors: [], failed_requests: [], error_responses: [] };
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  // An API error answer is also logged by Chromium as a failed resource; those are listed
  // (with what they answered) in error_responses instead.
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) seen.console_errors.push(m.text());
  });
  page.on("response", async (r) => {
    if (r.status() >= 400) {
      const body = await r.json().catch(() => ({}));
      seen.error_responses.push([new URL(r.url()).pathname, r.status(), String(body.__type ?? "").split("#").pop()]);
    }
  });
  page.on("pageerror", (e) => seen.console_errors.push(String(e)));
  page.on("requestfailed", (r) => seen.failed_requests.push(r.url()));
  // Nothing may be fetched from anywhere but the server.
  page.on("request", (r) => {
    if (!r.url().startsWith(endpoint)) seen.failed_requests.push(`outside: ${r.url()}`);
  });
  const shot = (name) => page.screenshot({ path: `${artifacts}/${name}.png`, fullPage: true });

  // --- the catalog: the table boto3 wrote ---
  await page.goto(`${endpoint}/`);
  await page.click('[data-database="monitoring"]');
  await page.click('[data-table="monitoring.server_metrics"]');
  await page.waitForSelector("[data-usage=memory]");
  seen.catalog = {
    memory_records: await page.textContent("[data-usage=memory]"),
    magnetic_records: await page.textContent("[data-usage=magnetic]"),
    details: await page.$$eval(".table-details dt", (dts) =>
      Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])),
    ),
    measures: await page.$$eval("table.measures tbody tr", (trs) =>
      trs.map((tr) => [...tr.children].map((td) => td.textContent)),
    ),
    dimensions: await page.$$eval("ul.dimensions code", (els) => els.map((e) => e.textContent)),
  };
  await shot("catalog");

  // --- the query editor: "Query this table", a sample by keyboard, an error, a cancel ---
  const readTable = () =>
    page.evaluate(() => ({
      columns: [...document.querySelectorAll(".results thead th")].map((th) => [
        th.children[0].textContent,
        th.children[1].textContent,
      ]),
      rows: [...document.querySelectorAll(".results tbody tr")].map((tr) =>
        [...tr.children].map((td) => td.textContent),
      ),
      count: document.querySelector("[data-rows]")?.getAttribute("data-rows"),
      page_info: document.querySelector(".page-info")?.textContent,
      chart_lines: document.querySelector(".chart-plot")?.getAttribute("data-lines") ?? null,
      chart_canvas: Boolean(document.querySelector(".chart-plot canvas")),
      legend: [...document.querySelectorAll(".chart .u-legend .u-series .u-label")].map((e) => e.textContent),
    }));
  const waitForResult = async () => {
    await page.waitForSelector(".query-status [data-rows], .query-error .error");
  };

  await page.click("text=Query this table");
  await page.waitForSelector(".query-page");
  seen.query_this_table_sql = await page.inputValue(".editor-input");
  await page.click("button:has-text('Run')");
  await waitForResult();
  seen.table_query = await readTable();
  await page.click("text=Next ›").catch(() => {});
  seen.table_query_second_page = (await readTable()).page_info;

  await page.click('[data-sample="Average CPU in 5-minute buckets"]');
  seen.sample_sql = await page.inputValue(".editor-input");
  await page.focus(".editor-input");
  await page.keyboard.press("Control+Enter");
  await page.waitForFunction((sql) => document.querySelector(".query-status [data-rows]") && localStorage.getItem("timestream-local.query") === sql, seen.sample_sql);
  await waitForResult();
  seen.sample = await readTable();
  await shot("query");

  // TIMESERIES cells: one line per row.
  await page.click('[data-sample="Linear interpolation"]');
  await page.click("button:has-text('Run')");
  await page.waitForFunction(() =>
    [...document.querySelectorAll(".results .type")].some((e) => e.textContent.startsWith("timeseries")),
  );
  seen.timeseries = await readTable();

  await page.fill(".editor-input", "SELECT hostname, nope\nFROM monitoring.server_metrics");
  await page.keyboard.press("Control+Enter");
  await page.waitForSelector(".query-error .error");
  seen.error = {
    text: await page.textContent(".query-error .error"),
    marked: await page.textContent("[data-error]"),
  };
  await shot("query-error");

  await page.fill(
    ".editor-input",
    "SELECT count(*) FROM UNNEST(sequence(1, 10000)) AS a(x)\n" +
      "CROSS JOIN UNNEST(sequence(1, 10000)) AS b(y) CROSS JOIN UNNEST(sequence(1, 10000)) AS c(z)",
  );
  await page.click("button:has-text('Run')");
  await page.waitForTimeout(1500);
  seen.cancel_enabled_while_running = await page.isEnabled("button:has-text('Cancel')");
  const cancelledAt = Date.now();
  await page.click("button:has-text('Cancel')");
  await page.waitForSelector(".query-error .error");
  seen.cancel = {
    text: await page.textContent(".query-error .error"),
    seconds: (Date.now() - cancelledAt) / 1000,
  };

  // --- the live view: ingestion figures, rejections, the request log, the clock ---
  await page.click("header >> text=Live");
  await page.waitForSelector("[data-figure=accepted]");
  await page.waitForSelector(".request-log");
  seen.live = {
    accepted: await page.textContent("[data-figure=accepted]"),
    rejected: await page.textContent("[data-figure=rejected]"),
    rejections: await page.$$eval(".live-page table.grid:not(.request-log) tbody tr", (trs) =>
      trs.map((tr) => [...tr.children].map((td) => td.textContent)),
    ),
    log_operations: await page.$$eval(".request-log tbody tr td:nth-child(2)", (tds) => tds.map((td) => td.textContent)),
    clock_before: await page.getAttribute(".clock-now", "data-clock"),
  };
  await page.click("button:has-text('Freeze')");
  await page.waitForSelector("button:has-text('Unfreeze')");
  const frozen = await page.getAttribute(".clock-now", "data-clock");
  await page.click("button:has-text('+1 hour')");
  await page.waitForFunction((before) => document.querySelector(".clock-now")?.dataset.clock !== before, frozen);
  seen.live.clock_frozen = frozen;
  seen.live.clock_after = await page.getAttribute(".clock-now", "data-clock");
  await shot("live");
  await page.click("button:has-text('Back to real time')");
  await page.waitForSelector("button:has-text('Freeze')");

  // --- scheduled queries: the list, Run now, the failed run's error report ---
  await page.click("header >> text=Scheduled queries");
  await page.waitForSelector("[data-scheduled-query]");
  seen.scheduled_before = await page.$$eval("[data-scheduled-query]", (els) =>
    els.map((e) => [e.dataset.scheduledQuery, e.querySelectorAll("tbody tr").length]),
  );
  for (const name of ["hourly-cpu-summary", "broken-summary"]) {
    const card = page.locator(`[data-scheduled-query="${name}"]`);
    const before = await card.locator("tbody tr").count();
    await card.locator("button:has-text('Run now')").click();
    await page.waitForFunction(
      ([n, b]) => document.querySelectorAll(`[data-scheduled-query="${n}"] tbody tr`).length > b,
      [name, before],
    );
  }
  const broken = page.locator('[data-scheduled-query="broken-summary"]');
  await broken.locator("button:has-text('Error report')").first().click();
  await page.waitForSelector("pre.report");
  seen.scheduled = await page.$$eval("[data-scheduled-query]", (els) =>
    els.map((e) => ({
      name: e.dataset.scheduledQuery,
      state: e.querySelector(".badge").textContent,
      runs: [...e.querySelectorAll("tbody tr")].map((tr) => [...tr.children].map((td) => td.textContent)),
    })),
  );
  seen.error_report = await page.textContent("pre.report");
  await shot("scheduled");

  // --- a phone-width screen ---
  await page.setViewportSize({ width: 390, height: 844 });
  await page.click("header >> text=Catalog");
  await page.click('[data-table="monitoring.server_metrics"]');
  await page.waitForSelector("[data-usage=memory]");
  seen.phone_catalog_overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  // Anything sticking out of the screen, but for what scrolls sideways in its own box.
  seen.phone_catalog_sticking_out = await page.evaluate(() =>
    [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest(".table-scroll"))
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
  );
  await shot("catalog-phone");
  await page.click("header >> text=Query");
  await page.click('[data-sample="Average CPU in 5-minute buckets"]');
  await page.click("button:has-text('Run')");
  await page.waitForSelector(".chart-plot canvas");
  seen.phone_query_overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await shot("query-phone");
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(seen));
