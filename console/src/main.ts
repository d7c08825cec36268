// The console's shell: the header (pages, region), and the hash routes between the pages
// (#/catalog, #/query, #/live, #/scheduled). Each page is built once and shown again on return.

import { admin, region, setRegion } from "./api";
import { CatalogPage } from "./catalog";
import { h } from "./dom";
import { LivePage } from "./live";
import { QueryPage } from "./query/page";
import { ScheduledPage } from "./scheduled";

interface Page {
  element: HTMLElement;
  show(): Promise<void>;
  stop?(): void;
}

const query = new QueryPage();
const pages: Record<string, { title: string; page: Page }> = {
  catalog: {
    title: "Catalog",
    page: new CatalogPage((sql) => {
      query.load(sql);
      location.hash = "#/query";
    }),
  },
  query: { title: "Query", page: { element: query.element, show: async () => undefined } },
  live: { title: "Live", page: new LivePage() },
  scheduled: { title: "Scheduled queries", page: new ScheduledPage() },
};

const main = h("main", { id: "main" });
const links = Object.entries(pages).map(([route, { title }]) =>
  h("a", { href: `#/${route}`, "data-route": route }, title),
);
const regionSelect = h("select", {
  "aria-label": "Region",
  onchange: (e: Event) => {
    setRegion((e.target as HTMLSelectElement).value);
    void route();
  },
});

document.body.append(
  h(
    "header",
    {},
    h("a", { class: "brand", href: "#/catalog" }, "timestream-local"),
    h("nav", { "aria-label": "Pages" }, links),
    h("label", { class: "region" }, "Region ", regionSelect),
  ),
  main,
);

async function fillRegions(): Promise<void> {
  try {
    const state = await admin<{ scopes: { region: string }[] }>("state");
    const regions = [...new Set(state.scopes.map((s) => s.region))];
    const current = region();
    if (current && !regions.includes(current)) regions.push(current);
    regionSelect.replaceChildren(
      h("option", { value: "" }, "server default"),
      ...regions.sort().map((r) => h("option", { value: r, selected: r === current }, r)),
    );
  } catch {
    // The pages show the admin API's error themselves.
  }
}

let shown: Page | null = null;

async function route(): Promise<void> {
  const name = location.hash.replace(/^#\/?/, "").split("?")[0] || "catalog";
  const entry = pages[name] ?? pages.catalog;
  for (const link of links) {
    if (link.dataset.route === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  shown?.stop?.();
  shown = entry.page;
  main.replaceChildren(entry.page.element);
  document.title = `${entry.title} · timestream-local`;
  await entry.page.show();
}

window.addEventListener("hashchange", () => void route());
void fillRegions();
void route();
