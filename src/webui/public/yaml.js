// YAML for people: a small emitter for showing specs (no library on the job page), and the `yaml`
// package's browser build, loaded only when a pasted spec must be parsed.

const PLAIN = /^[A-Za-z0-9_./@+-][A-Za-z0-9_ ./@:+=,-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|-?[0-9][0-9_.eE+-]*)$/i;

/** Longer strings (inline data URLs) are shortened for display: the spec stays readable. */
const SHOWN_CHARS = 120;

function scalar(v) {
  if (v === null || v === undefined) return "null";
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  let s = String(v);
  if (s.length > SHOWN_CHARS) s = `${s.slice(0, SHOWN_CHARS)}… (${s.length} characters)`;
  if (s !== "" && PLAIN.test(s) && !RESERVED.test(s) && !s.endsWith(" ") && !s.includes(": ")) return s;
  return JSON.stringify(s);
}

const isEmpty = (v) => v && typeof v === "object" && Object.keys(v).length === 0;

function lines(v, indent) {
  const pad = "  ".repeat(indent);
  if (Array.isArray(v)) {
    if (v.length === 0) return [`${pad}[]`];
    return v.flatMap((item) => {
      if (item && typeof item === "object" && !isEmpty(item)) {
        const inner = lines(item, indent + 1);
        return [`${pad}- ${inner[0].trimStart()}`, ...inner.slice(1)];
      }
      return [`${pad}- ${item && typeof item === "object" ? (Array.isArray(item) ? "[]" : "{}") : scalar(item)}`];
    });
  }
  if (v && typeof v === "object") {
    const entries = Object.entries(v);
    if (entries.length === 0) return [`${pad}{}`];
    return entries.flatMap(([k, val]) => {
      if (val && typeof val === "object" && !isEmpty(val)) return [`${pad}${scalar(k)}:`, ...lines(val, Array.isArray(val) ? indent : indent + 1)];
      const s = val && typeof val === "object" ? (Array.isArray(val) ? "[]" : "{}") : scalar(val);
      return [`${pad}${scalar(k)}: ${s}`];
    });
  }
  return [`${pad}${scalar(v)}`];
}

export function toYAML(value) {
  return `${lines(value, 0).join("\n")}\n`;
}

/** JSON when it looks like JSON, else YAML through the lazily loaded parser. */
export async function parseSpec(text) {
  const t = text.trim();
  if (t.startsWith("{")) return JSON.parse(t);
  const { parse } = await import("/ui/vendor/yaml/index.js");
  return parse(t);
}
