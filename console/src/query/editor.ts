// The query editor: a plain <textarea> (so typing, selection, undo and screen readers work as
// everywhere) over a <pre> that shows the same text highlighted. An error's position, from the
// API's `line L:C:` prefix, is underlined in place and the caret moved there.

import { h } from "../dom";
import { tokenize } from "./highlight";

export class Editor {
  readonly element: HTMLElement;
  private readonly textarea: HTMLTextAreaElement;
  private readonly layer: HTMLElement;
  private errorOffset: number | null = null;

  constructor(initial: string, onRun: () => void) {
    this.layer = h("pre", { class: "editor-layer", "aria-hidden": "true" });
    this.textarea = h("textarea", {
      class: "editor-input",
      spellcheck: "false",
      autocapitalize: "off",
      autocomplete: "off",
      "aria-label": "Timestream SQL",
      rows: "8",
    });
    this.textarea.value = initial;
    this.textarea.addEventListener("input", () => {
      this.errorOffset = null;
      this.render();
    });
    this.textarea.addEventListener("scroll", () => this.syncScroll());
    this.textarea.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        onRun();
      }
    });
    this.element = h("div", { class: "editor" }, this.layer, this.textarea);
    this.render();
  }

  get value(): string {
    return this.textarea.value;
  }

  set value(text: string) {
    this.textarea.value = text;
    this.errorOffset = null;
    this.render();
  }

  focus(): void {
    this.textarea.focus();
  }

  /** Underlines the position `line L:C` (1-based) and puts the caret there. */
  markError(line: number, column: number): void {
    const lines = this.textarea.value.split("\n");
    let offset = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
    offset += Math.max(0, column - 1);
    this.errorOffset = Math.min(offset, this.textarea.value.length);
    this.render();
    this.textarea.setSelectionRange(this.errorOffset, this.errorOffset);
  }

  clearError(): void {
    this.errorOffset = null;
    this.render();
  }

  private render(): void {
    const text = this.textarea.value;
    const children: Node[] = [];
    let at = 0;
    for (const token of tokenize(text)) {
      const start = at;
      at += token.text.length;
      const mark = this.errorOffset;
      if (mark !== null && mark >= start && mark < at) {
        const word = /^\S*/.exec(token.text.slice(mark - start))?.[0] || token.text[mark - start];
        const before = token.text.slice(0, mark - start);
        const after = token.text.slice(mark - start + word.length);
        if (before) children.push(h("span", { class: `t-${token.kind}` }, before));
        children.push(h("span", { class: `t-${token.kind} error-mark`, "data-error": "" }, word));
        if (after) children.push(h("span", { class: `t-${token.kind}` }, after));
      } else {
        children.push(h("span", { class: `t-${token.kind}` }, token.text));
      }
    }
    if (this.errorOffset !== null && this.errorOffset >= text.length) {
      children.push(h("span", { class: "error-mark", "data-error": "" }, " "));
    }
    // A trailing newline needs a character after it to take up a line in a <pre>.
    children.push(document.createTextNode("\n"));
    this.layer.replaceChildren(...children);
    this.syncScroll();
  }

  private syncScroll(): void {
    this.layer.scrollTop = this.textarea.scrollTop;
    this.layer.scrollLeft = this.textarea.scrollLeft;
  }
}

/** `line 3:14: …` → [3, 14], as Timestream's messages give a position. */
export function errorPosition(message: string): [number, number] | null {
  const m = /\bline (\d+):(\d+)/.exec(message);
  return m ? [Number(m[1]), Number(m[2])] : null;
}
