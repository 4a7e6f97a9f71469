// Parse AsyncAPI documents with the AsyncAPI Initiative's own parser and print what it
// finds wrong with each, as JSON: {"<file>": [{"severity": 0, "message": "...", "path": [...]}]}.
// Severity 0 is an error, 1 a warning, 2 information, 3 a hint.
import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";

const parser = new Parser();
const found = {};
for (const file of process.argv.slice(2)) {
  const { diagnostics } = await parser.parse(readFileSync(file, "utf8"));
  found[file] = diagnostics.map((d) => ({ severity: d.severity, message: d.message, path: d.path }));
}
console.log(JSON.stringify(found));
