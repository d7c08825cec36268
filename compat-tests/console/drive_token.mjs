// The console against a server started with --admin-token: the page asks for the token once
// (a prompt), then lists the catalog. Prints what it saw as JSON. Usage: node drive_token.mjs
// ENDPOINT TOKEN
import { launch } from "./browser.mjs";

const [endpoint, token] = process.argv.slice(2);
const browser = await launch();
const seen = { prompts: [] };
try {
  const page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(15_000);
  page.on("dialog", async (dialog) => {
    seen.prompts.push(dialog.message());
    await dialog.accept(token);
  });
  await page.goto(`${endpoint}/`);
  await page.waitForSelector("[data-database]");
  seen.databases = await page.$$eval("[data-database]", (els) => els.map((e) => e.dataset.database));
  // Moving between pages asks no more.
  await page.click("header >> text=Live");
  await page.waitForSelector("[data-figure=accepted]");
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(seen));
