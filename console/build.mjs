// Builds the console into dist/: one script (src/main.ts and uPlot, bundled by esbuild), one
// stylesheet (ours and uPlot's), the page. dist/ is committed and embedded in the server binary
// (crates/server/src/console.rs), so the Rust build never needs Node.js. Deterministic: the same
// sources and lock file give the same bytes, which scripts/build-console --check relies on.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";

const here = new URL(".", import.meta.url).pathname;
mkdirSync(`${here}dist`, { recursive: true });

await build({
  entryPoints: [`${here}src/main.ts`],
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  legalComments: "eof",
  outfile: `${here}dist/app.js`,
  logLevel: "warning",
});

const css = [
  readFileSync(`${here}node_modules/uplot/dist/uPlot.min.css`, "utf8"),
  readFileSync(`${here}src/style.css`, "utf8"),
].join("\n");
writeFileSync(`${here}dist/app.css`, css);
copyFileSync(`${here}src/index.html`, `${here}dist/index.html`);
