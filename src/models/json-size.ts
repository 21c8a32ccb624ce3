/**
 * How many values a JSON text holds, counted without parsing it. Parsing is one synchronous call
 * whose cost grows with the number of values (an object of 200,000 keys takes the event loop for
 * most of a second), so a submission is measured by this first and refused before it is parsed.
 *
 * @example
 * ```ts
 * jsonValueCount('{"a":[1,2]}', 100); // 4: the object, the array and its two items
 * ```
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;

/**
 * Values in `text` (containers and items, counted at every comma and opening bracket), or a
 * number above `limit` as soon as it is exceeded. Strings are skipped whole with indexOf, so a
 * text made of few large strings costs little.
 */
export function jsonValueCount(text: string, limit: number): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = endOfString(text, i);
      continue;
    }
    if (c === COMMA || c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++count > limit) return count;
    }
  }
  return count;
}

/** Index of the quote closing the string opened at `start` (or the text's end). */
function endOfString(text: string, start: number): number {
  let i = start;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i < 0) return text.length;
    let slashes = 0;
    while (text.charCodeAt(i - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return i;
  }
}
