// Reads a VueFlow FlowExportObject (JSON) from stdin, loads it into a headless VueFlow store with
// fromObject() and prints toObject() as JSON: proof that VueFlow 1.48 accepts what we store.
// fromObject() is NOT awaited: its promise waits for a mounted viewport pane, which never exists
// headless, so Node would exit with code 13. 50 ms is enough for the synchronous state updates.
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { useVueFlow } = await import("@vue-flow/core");

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
let input;
try {
  input = JSON.parse(Buffer.concat(chunks).toString("utf8"));
} catch (err) {
  process.stderr.write(`input is not JSON: ${err.message}\n`);
  process.exit(2);
}

const flow = useVueFlow("flexos-check");
flow.fromObject(input);
await new Promise((resolve) => setTimeout(resolve, 50));
process.stdout.write(JSON.stringify(flow.toObject()) + "\n");
process.exit(0);
