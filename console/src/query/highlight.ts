// Syntax highlighting for Timestream SQL: one pass over the text into spans whose classes the
// stylesheet colours. It only colours; the server parses. Unterminated strings and comments
// run to the end, as they would in the parser.

const KEYWORDS = new Set(
  `select from where group by order having limit offset as and or not in is null like between
  case when then else end join inner left right full outer cross on using union all intersect
  except distinct with asc desc nulls first last over partition rows range unbounded preceding
  following current row cast try_cast interval timestamp date time true false exists any some
  values unnest lateral show databases tables measures describe unload to format escape array
  recursive at zone filter within ignore respect window`.split(/\s+/),
);

export type TokenKind =
  | "keyword"
  | "function"
  | "string"
  | "identifier"
  | "number"
  | "duration"
  | "comment"
  | "operator"
  | "text";

export interface Token {
  kind: TokenKind;
  text: string;
}

const RULES: [TokenKind | "word", RegExp][] = [
  ["comment", /--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/y],
  ["string", /'(?:[^']|'')*(?:'|$)/y],
  ["identifier", /"(?:[^"]|"")*(?:"|$)/y],
  ["duration", /\d+(?:\.\d+)?(?:ns|us|ms|s|m|h|d)\b/y],
  ["number", /\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?/y],
  ["word", /[A-Za-z_][A-Za-z0-9_$@]*|@[A-Za-z_][A-Za-z0-9_]*/y],
  ["operator", /::|<=|>=|<>|!=|\|\||->|[-+*/%=<>(),.;[\]]/y],
];

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  let plain = "";
  outer: while (at < sql.length) {
    for (const [kind, re] of RULES) {
      re.lastIndex = at;
      const m = re.exec(sql);
      if (!m || m[0] === "") continue;
      if (plain) {
        tokens.push({ kind: "text", text: plain });
        plain = "";
      }
      const text = m[0];
      at += text.length;
      if (kind === "word") {
        const rest = sql.slice(at);
        const lower = text.toLowerCase();
        tokens.push({
          kind: KEYWORDS.has(lower) ? "keyword" : /^\s*\(/.test(rest) ? "function" : "identifier",
          text,
        });
      } else {
        tokens.push({ kind, text });
      }
      continue outer;
    }
    plain += sql[at];
    at++;
  }
  if (plain) tokens.push({ kind: "text", text: plain });
  return tokens;
}
