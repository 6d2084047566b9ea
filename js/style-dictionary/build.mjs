// Build a DTCG token file into CSS custom properties with Style Dictionary.
// Usage: node build.mjs <tokens.json> <output-dir>  → writes <output-dir>/variables.css
// FlexOS's Python exporter must produce files this accepts; tests run it on a known token set.
import StyleDictionary from "style-dictionary";
import path from "node:path";

const [source, outDir] = process.argv.slice(2);
if (!source || !outDir) {
  console.error("usage: node build.mjs <tokens.json> <output-dir>");
  process.exit(2);
}
const sd = new StyleDictionary({
  source: [source],
  log: { verbosity: "verbose", warnings: "error" },
  platforms: {
    css: {
      transformGroup: "css",
      buildPath: outDir.endsWith(path.sep) ? outDir : outDir + path.sep,
      files: [{ destination: "variables.css", format: "css/variables" }],
    },
  },
});
await sd.buildAllPlatforms();
