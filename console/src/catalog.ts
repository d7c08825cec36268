// The catalog: databases and their tables; a table's retention, magnetic-store writes,
// partition key, record count per tier, measures and dimensions (SHOW MEASURES) and tags;
// creating and deleting databases and tables. Everything through the AWS operations.

import { admin, aws, listAll } from "./api";
import { errorBox, field, fill, formatCount, h } from "./dom";
import { type Datum, type QueryOutput, datumText } from "./datum";

interface Database {
  DatabaseName: string;
  Arn: string;
  TableCount?: number;
  KmsKeyId?: string;
  CreationTime?: number;
}

interface PartitionKey {
  Type: string;
  Name?: string;
  EnforcementInRecord?: string;
}

interface Table {
  TableName: string;
  DatabaseName: string;
  Arn: string;
  TableStatus?: string;
  CreationTime?: number;
  RetentionProperties?: {
    MemoryStoreRetentionPeriodInHours: number;
    MagneticStoreRetentionPeriodInDays: number;
  };
  MagneticStoreWriteProperties?: { EnableMagneticStoreWrites: boolean };
  Schema?: { CompositePartitionKey?: PartitionKey[] };
}

interface Tag {
  Key: string;
  Value: string;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const when = (seconds?: number) =>
  seconds === undefined ? "—" : new Date(seconds * 1000).toISOString().replace(".000Z", "Z");

export class CatalogPage {
  readonly element: HTMLElement;
  private readonly tree: HTMLElement;
  private readonly details: HTMLElement;
  private selected: { database: string; table?: string } | null = null;

  constructor(private readonly openQuery: (sql: string) => void) {
    this.tree = h("nav", { class: "tree", "aria-label": "Databases and tables" });
    this.details = h("div", { class: "details" });
    const name = h("input", { placeholder: "new database name", "aria-label": "New database name", name: "database-name" });
    const create = h(
      "form",
      {
        class: "inline-form",
        onsubmit: (e: Event) => {
          e.preventDefault();
          void this.act(async () => {
            await aws("CreateDatabase", { DatabaseName: name.value.trim() });
            this.selected = { database: name.value.trim() };
            name.value = "";
          });
        },
      },
      name,
      h("button", { type: "submit" }, "Create database"),
    );
    this.element = h(
      "section",
      { class: "page catalog-page" },
      h("h1", {}, "Catalog"),
      create,
      h("div", { class: "split" }, this.tree, this.details),
    );
  }

  async show(): Promise<void> {
    await this.refresh();
  }

  /** Runs a change, then shows the catalog again (or the change's error). */
  private async act(change: () => Promise<void>): Promise<void> {
    try {
      await change();
      await this.refresh();
    } catch (e) {
      fill(this.details, errorBox(e));
    }
  }

  private async refresh(): Promise<void> {
    let databases: Database[];
    try {
      databases = await listAll<Database>("ListDatabases", {}, "Databases");
    } catch (e) {
      fill(this.tree, errorBox(e));
      return;
    }
    const tables = await Promise.all(
      databases.map((d) => listAll<Table>("ListTables", { DatabaseName: d.DatabaseName }, "Tables").catch(() => [])),
    );
    fill(
      this.tree,
      databases.length === 0 ? h("p", { class: "muted" }, "No databases yet.") : "",
      h(
        "ul",
        {},
        databases.map((d, i) =>
          h(
            "li",
            {},
            h(
              "button",
              {
                class: `tree-item database${this.isSelected(d.DatabaseName) ? " selected" : ""}`,
                "data-database": d.DatabaseName,
                onclick: () => void this.select({ database: d.DatabaseName }),
              },
              d.DatabaseName,
            ),
            h(
              "ul",
              {},
              tables[i].map((t) =>
                h(
                  "li",
                  {},
                  h(
                    "button",
                    {
                      class: `tree-item table${this.isSelected(d.DatabaseName, t.TableName) ? " selected" : ""}`,
                      "data-table": `${d.DatabaseName}.${t.TableName}`,
                      onclick: () => void this.select({ database: d.DatabaseName, table: t.TableName }),
                    },
                    t.TableName,
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    );
    const stillThere =
      this.selected &&
      databases.some(
        (d, i) =>
          d.DatabaseName === this.selected?.database &&
          (!this.selected.table || tables[i].some((t) => t.TableName === this.selected?.table)),
      );
    if (this.selected && stillThere) await this.showSelected();
    else {
      this.selected = null;
      fill(this.details, h("p", { class: "muted" }, "Pick a database or a table."));
    }
  }

  private isSelected(database: string, table?: string): boolean {
    return this.selected?.database === database && this.selected?.table === table;
  }

  private async select(what: { database: string; table?: string }): Promise<void> {
    this.selected = what;
    for (const el of this.tree.querySelectorAll(".tree-item")) el.classList.remove("selected");
    const key = what.table ? `[data-table="${CSS.escape(`${what.database}.${what.table}`)}"]` : `[data-database="${CSS.escape(what.database)}"]`;
    this.tree.querySelector(key)?.classList.add("selected");
    await this.showSelected();
  }

  private async showSelected(): Promise<void> {
    const what = this.selected;
    if (!what) return;
    fill(this.details, h("p", { class: "muted" }, "Loading…"));
    try {
      if (what.table) await this.showTable(what.database, what.table);
      else await this.showDatabase(what.database);
    } catch (e) {
      fill(this.details, errorBox(e));
    }
  }

  private async showDatabase(name: string): Promise<void> {
    const { Database: d } = await aws<{ Database: Database }>("DescribeDatabase", { DatabaseName: name });
    const tags = await listAll<Tag>("ListTagsForResource", { ResourceARN: d.Arn }, "Tags");
    const table = h("input", { placeholder: "table name", "aria-label": "New table name", name: "table-name" });
    const memory = h("input", { type: "number", min: "1", max: "8766", value: "6", "aria-label": "Memory store retention (hours)" });
    const magnetic = h("input", { type: "number", min: "1", max: "73000", value: "73000", "aria-label": "Magnetic store retention (days)" });
    const writes = h("input", { type: "checkbox", "aria-label": "Magnetic store writes" });
    fill(
      this.details,
      h("h2", {}, d.DatabaseName),
      h(
        "dl",
        {},
        field("ARN", d.Arn),
        field("Tables", formatCount(d.TableCount ?? 0)),
        field("KMS key", d.KmsKeyId ?? "—"),
        field("Created", when(d.CreationTime)),
        field("Tags", tagList(tags)),
      ),
      h("h3", {}, "New table"),
      h(
        "form",
        {
          class: "stacked-form",
          onsubmit: (e: Event) => {
            e.preventDefault();
            void this.act(async () => {
              await aws("CreateTable", {
                DatabaseName: name,
                TableName: table.value.trim(),
                RetentionProperties: {
                  MemoryStoreRetentionPeriodInHours: Number(memory.value),
                  MagneticStoreRetentionPeriodInDays: Number(magnetic.value),
                },
                MagneticStoreWriteProperties: { EnableMagneticStoreWrites: writes.checked },
              });
              this.selected = { database: name, table: table.value.trim() };
            });
          },
        },
        h("label", {}, "Name ", table),
        h("label", {}, "Memory store retention (hours) ", memory),
        h("label", {}, "Magnetic store retention (days) ", magnetic),
        h("label", {}, writes, " Magnetic store writes"),
        h("button", { type: "submit" }, "Create table"),
      ),
      h(
        "div",
        { class: "danger-zone" },
        h(
          "button",
          {
            class: "danger",
            onclick: () => {
              if (!window.confirm(`Delete database ${name}? It must have no tables.`)) return;
              void this.act(async () => {
                await aws("DeleteDatabase", { DatabaseName: name });
                this.selected = null;
              });
            },
          },
          "Delete database",
        ),
      ),
    );
  }

  private async showTable(database: string, name: string): Promise<void> {
    const [{ Table: t }, usage, measures] = await Promise.all([
      aws<{ Table: Table }>("DescribeTable", { DatabaseName: database, TableName: name }),
      admin<{ memory_records: number; magnetic_records: number }>(
        `table-usage?database=${encodeURIComponent(database)}&table=${encodeURIComponent(name)}`,
      ),
      aws<QueryOutput>("Query", { QueryString: `SHOW MEASURES FROM ${quote(database)}.${quote(name)}` }),
    ]);
    const tags = await listAll<Tag>("ListTagsForResource", { ResourceARN: t.Arn }, "Tags");
    const retention = t.RetentionProperties;
    const partitionKey = (t.Schema?.CompositePartitionKey ?? [])
      .map((k) => (k.Type === "MEASURE" ? "measure_name" : `${k.Name} (dimension, ${k.EnforcementInRecord ?? "OPTIONAL"})`))
      .join(", ");
    const measureRows: MeasureRow[] = measures.Rows.map((r) => ({
      name: datumText(r.Data[0]),
      type: datumText(r.Data[1]),
      dimensions: (r.Data[2]?.ArrayValue ?? []).map((d: Datum) => ({
        name: d.RowValue ? datumText(d.RowValue.Data[0]) : datumText(d),
        type: d.RowValue ? datumText(d.RowValue.Data[1]) : "",
      })),
    }));
    const dimensions = new Map<string, string>();
    for (const m of measureRows) for (const d of m.dimensions) dimensions.set(d.name, d.type);
    fill(
      this.details,
      h("h2", {}, `${database}.${name}`),
      h(
        "div",
        { class: "toolbar" },
        h(
          "button",
          {
            class: "primary",
            onclick: () => this.openQuery(`SELECT * FROM ${quote(database)}.${quote(name)}\nORDER BY time DESC\nLIMIT 100`),
          },
          "Query this table",
        ),
      ),
      h(
        "dl",
        { class: "table-details" },
        field("Status", t.TableStatus ?? "—"),
        field("ARN", t.Arn),
        field("Created", when(t.CreationTime)),
        field("Memory store retention", retention ? `${retention.MemoryStoreRetentionPeriodInHours} hours` : "—"),
        field("Magnetic store retention", retention ? `${retention.MagneticStoreRetentionPeriodInDays} days` : "—"),
        field("Magnetic store writes", t.MagneticStoreWriteProperties?.EnableMagneticStoreWrites ? "enabled" : "disabled"),
        field("Partition key", partitionKey || "measure_name (default)"),
        field("Records in the memory tier", h("span", { "data-usage": "memory" }, formatCount(usage.memory_records))),
        field("Records in the magnetic tier", h("span", { "data-usage": "magnetic" }, formatCount(usage.magnetic_records))),
        field("Tags", tagList(tags)),
      ),
      h("h3", {}, "Measures"),
      measureRows.length === 0
        ? h("p", { class: "muted" }, "No records yet.")
        : h("div", { class: "table-scroll" }, measuresTable(measureRows)),
      h("h3", {}, "Dimensions"),
      dimensions.size === 0
        ? h("p", { class: "muted" }, "None.")
        : h("ul", { class: "dimensions" }, [...dimensions].map(([n, type]) => h("li", {}, h("code", {}, n), " ", h("span", { class: "muted" }, type)))),
      h(
        "div",
        { class: "danger-zone" },
        h(
          "button",
          {
            class: "danger",
            onclick: () => {
              if (!window.confirm(`Delete table ${database}.${name} and every record in it?`)) return;
              void this.act(async () => {
                await aws("DeleteTable", { DatabaseName: database, TableName: name });
                this.selected = { database };
              });
            },
          },
          "Delete table",
        ),
      ),
    );
  }
}

function tagList(tags: Tag[]): HTMLElement | string {
  if (tags.length === 0) return "—";
  return h("ul", { class: "tags" }, tags.map((t) => h("li", {}, h("code", {}, t.Key), " = ", t.Value)));
}

interface MeasureRow {
  name: string;
  type: string;
  dimensions: { name: string; type: string }[];
}

/** SHOW MEASURES as a table: name, type, the dimensions its records carry. */
function measuresTable(rows: MeasureRow[]): HTMLElement {
  return h(
    "table",
    { class: "grid measures" },
    h("thead", {}, h("tr", {}, h("th", {}, "measure_name"), h("th", {}, "data_type"), h("th", {}, "dimensions"))),
    h(
      "tbody",
      {},
      rows.map((m) =>
        h("tr", {}, h("td", {}, m.name), h("td", {}, m.type), h("td", {}, m.dimensions.map((d) => d.name).join(", "))),
      ),
    ),
  );
}
