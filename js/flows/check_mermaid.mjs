// Reads Mermaid diagram text from stdin and proves it parses with the real `mermaid` package.
// Prints {"ok": true, "diagramType": ...} and exits 0, or prints {"ok": false, "error": ...}
// and exits 1. Mermaid needs a DOM (DOMPurify hooks), so JSDOM globals are set before import.
// With --batch, stdin is a JSON array of diagram texts and stdout one JSON array of results
// (exit 1 if any failed): one Node start for many diagrams keeps the Python tests fast.
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString("utf8");

async function check(diagram) {
  try {
    const result = await mermaid.parse(diagram);
    return { ok: true, diagramType: result.diagramType };
  } catch (err) {
    return { ok: false, error: String(err && err.message ? err.message : err) };
  }
}

if (process.argv.includes("--batch")) {
  const results = [];
  for (const diagram of JSON.parse(text)) results.push(await check(diagram));
  process.stdout.write(JSON.stringify(results) + "\n");
  process.exit(results.every((r) => r.ok) ? 0 : 1);
} else {
  const result = await check(text);
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(result.ok ? 0 : 1);
}
