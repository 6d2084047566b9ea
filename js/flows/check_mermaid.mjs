// Reads Mermaid diagram text from stdin and proves it parses with the real `mermaid` package.
// Prints {"ok": true, "diagramType": ...} and exits 0, or prints {"ok": false, "error": ...}
// and exits 1. Mermaid needs a DOM (DOMPurify hooks), so JSDOM globals are set before import.
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString("utf8");

try {
  const result = await mermaid.parse(text);
  process.stdout.write(JSON.stringify({ ok: true, diagramType: result.diagramType }) + "\n");
  process.exit(0);
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, error: String(err && err.message ? err.message : err) }) + "\n");
  process.exit(1);
}
