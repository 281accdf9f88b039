// Writes docs/scenario.schema.json, the scenario format's JSON Schema generated from the
// validator (src/scenario/json-schema.ts). `npm run schema`; src/scenario/json-schema.test.ts
// fails while the copy is out of date. The build publishes the same text as
// dist/scenario.schema.json.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { scenarioJsonSchemaText } from "../src/scenario/json-schema.ts";

const out = fileURLToPath(new URL("../docs/scenario.schema.json", import.meta.url));
writeFileSync(out, scenarioJsonSchemaText());
console.log(`wrote ${out}`);
