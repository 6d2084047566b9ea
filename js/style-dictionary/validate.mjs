// Validate a DTCG token file with Terrazzo's parser (by an editor of the DTCG format) and its
// recommended lint rules: 2025.10 colour objects, {value, unit} dimensions, font families and
// weights, shadows. Strict: a warning fails too, so the legacy string forms ("#DC2626", "8px"),
// which the parser still reads with a deprecation warning, are refused.
// Usage: node validate.mjs <tokens.json>  → exit 0 and "valid: N tokens", or exit 1 and the problems.
import { Logger, defineConfig, parse } from "@terrazzo/parser";
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";

const [source] = process.argv.slice(2);
if (!source) {
  console.error("usage: node validate.mjs <tokens.json>");
  process.exit(2);
}
const filename = pathToFileURL(source);
const logger = new Logger();
const config = defineConfig({}, { cwd: new URL(".", filename), logger });
try {
  const { tokens } = await parse([{ src: await readFile(source, "utf8"), filename }], { config, logger });
  if (logger.warnCount > 0) {
    console.error(`${logger.warnCount} warning(s): not a clean DTCG 2025.10 file`);
    process.exit(1);
  }
  console.log(`valid: ${Object.keys(tokens).length} tokens`);
} catch (error) {
  console.error(String(error?.message ?? error));
  process.exit(1);
}
