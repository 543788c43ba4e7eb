/**
 * Escaping for untrusted text (anything the connector said, and anything derived from
 * it) on its way into a terminal, XML or HTML. Every function is total: any string,
 * including lone surrogates and NULs, gives a safe result and never throws.
 */

// C0 except \t and \n, DEL, C1; bidi overrides/isolates and marks (Trojan Source
// style spoofing); line/paragraph separators; lone surrogates.
const TERMINAL_UNSAFE =
  /[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Make text safe to print: control characters (ANSI escape sequences included) are
 * shown as visible escapes, so `\u001b[2J` prints as the six characters `\x1b[2J`
 * instead of clearing the screen. Keeps `\n` and `\t`.
 *
 * @example
 * sanitizeForTerminal('ok\u001b[31mred') // 'ok\\x1b[31mred'
 */
export function sanitizeForTerminal(s: string): string {
  return toText(s).replace(TERMINAL_UNSAFE, (ch) => (ch === '\n' ? ch : visibleEscape(ch)));
}

/** One terminal line: newlines shown as `↵`, tabs as spaces, sanitised, then truncated. */
export function terminalLine(s: string, max: number): string {
  return truncate(sanitizeForTerminal(toText(s).replace(/\r?\n/g, ' ↵ ').replace(/\t/g, ' ')), max);
}

/**
 * Cut `s` to at most `max` UTF-16 code units, ending with a marker that says how
 * many were cut: `abc…[+1234 chars]`. Never splits a surrogate pair. When `max` is
 * smaller than the marker itself, the result is the marker alone.
 */
export function truncate(s: string, max: number): string {
  const text = toText(s);
  const limit = Number.isNaN(max) ? 0 : Math.max(0, Math.floor(max));
  if (text.length <= limit) return text;
  let keep = limit;
  // The marker's length depends on the count it shows; a few rounds settle it.
  for (let i = 0; i < 4; i++) keep = Math.max(0, limit - truncationMarker(text.length - keep).length);
  if (keep > 0 && isHighSurrogate(text.charCodeAt(keep - 1))) keep--;
  return text.slice(0, keep) + truncationMarker(text.length - keep);
}

export function truncationMarker(cut: number): string {
  return `…[+${cut} chars]`;
}

// Not an XML 1.0 Char: C0 except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF. DEL, C1
// and bidi controls are legal XML but shown escaped too: never meant in evidence, and
// bidi overrides make CI viewers display text other than what it is.
const XML_INVALID =
  /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const XML_TEXT_SPECIAL = /[&<>"'\r]/g;
const XML_ATTR_SPECIAL = /[&<>"'\r\n\t]/g;
const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#xD;', '\n': '&#xA;', '\t': '&#x9;' };

/**
 * Escape for XML 1.0 element content: markup characters become entities, characters
 * XML cannot carry at all (NUL, most C0, lone surrogates) become visible `\xNN` text.
 * `]]>` is harmless because `>` is escaped.
 */
export function escapeXml(s: string): string {
  return toText(s).replace(XML_INVALID, visibleEscape).replace(XML_TEXT_SPECIAL, (c) => XML_ENTITIES[c] ?? c);
}

/** Like escapeXml, for attribute values: also keeps `\n` and `\t` from being normalised to spaces. */
export function escapeXmlAttribute(s: string): string {
  return toText(s).replace(XML_INVALID, visibleEscape).replace(XML_ATTR_SPECIAL, (c) => XML_ENTITIES[c] ?? c);
}

const HTML_INVALID =
  /[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const HTML_SPECIAL = /[&<>"']/g;
const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape for HTML text and quoted attribute values; control characters shown as visible escapes. */
export function escapeHtml(s: string): string {
  return toText(s).replace(HTML_INVALID, visibleEscape).replace(HTML_SPECIAL, (c) => HTML_ENTITIES[c] ?? c);
}

/**
 * JSON to embed in an HTML `<script>` element: `<`, `>`, `&`, U+2028 and U+2029 are
 * `\u` escaped, so `</script>` or `<!--` inside data cannot end or change the element.
 */
export function jsonForHtmlScript(value: unknown): string {
  const json = JSON.stringify(value) ?? 'null';
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function visibleEscape(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '\r') return '\\r';
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function toText(s: unknown): string {
  return typeof s === 'string' ? s : String(s);
}
