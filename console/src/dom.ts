// Building the page from code: `h("button", { class: "primary", onclick: run }, "Run")`.

import uPlot from "uplot";

export type Child = Node | string | number | null | undefined | false | Child[];

type Props = Record<string, unknown>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value as EventListener);
    } else if (key === "class") {
      el.className = String(value);
    } else if (key === "value" && "value" in el) {
      (el as HTMLInputElement).value = String(value);
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces everything inside `el`. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A labelled value of a details list. */
export function field(label: string, value: Child): HTMLElement[] {
  return [h("dt", {}, label), h("dd", {}, value)];
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = -1;
  do {
    v /= 1024;
    i++;
  } while (v >= 1024 && i < units.length - 1);
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** An error as the API words it: `ValidationException: message`. */
export function errorBox(e: unknown): HTMLElement {
  const [type, message] = describeError(e);
  return h("div", { class: "error", role: "alert" }, h("strong", {}, type), " ", message);
}

export function describeError(e: unknown): [string, string] {
  if (e && typeof e === "object" && "type" in e && "message" in e) {
    return [String((e as { type: string }).type), String((e as { message: string }).message)];
  }
  return ["Error", e instanceof Error ? e.message : String(e)];
}

/** Chart axes in UTC, as Timestream's timestamps are. */
export function utc(seconds: number): Date {
  return uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC");
}
