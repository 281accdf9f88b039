/**
 * The JSON Schema of the scenario format, generated from the validator (`scenarioSchema`) so
 * that the two cannot disagree: an editor given it (`"$schema"` in a file, or VS Code's
 * `json.schemas`) completes field names, shows each field's default and flags a typo.
 *
 * It describes shapes, types, ranges and defaults (stage 2 of `parseScenario`); the semantic
 * checks of stage 3 (names that must exist, overlaps, alignment, a schedule that can run) are
 * beyond JSON Schema and still come from `sva-lab run` and the page.
 *
 * Published by the build as `dist/scenario.schema.json`; a copy is kept in
 * `docs/scenario.schema.json` (`npm run schema` writes it; a test checks it is up to date).
 */
import { z } from "zod";
import { ADDRESS_LIMIT } from "./limits.ts";
import { RELEASES } from "./releases.ts";
import { address, scenarioSchema } from "./schema.ts";
import { SCENARIO_FORMAT } from "./types.ts";

/** An address in a file: `"0x…"` hex, or a non-negative integer, below 2^48. */
const ADDRESS_JSON = {
  description: 'an address: a "0x…" hex string or a non-negative integer, below 2^48',
  anyOf: [
    { type: "string", pattern: "^0[xX][0-9a-fA-F]+$" },
    { type: "integer", minimum: 0, maximum: ADDRESS_LIMIT - 1 },
  ],
};

export const SCHEMA_ID = "https://sva-lab.invalid/scenario.schema.json";

export function scenarioJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(scenarioSchema, {
    io: "input",
    target: "draft-2020-12",
    // The refinements (no control characters) are not JSON Schema; the rest of the field is.
    unrepresentable: "any",
    override: (ctx) => {
      if (ctx.zodSchema === address) {
        for (const k of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as Record<string, unknown>)[k];
        Object.assign(ctx.jsonSchema, ADDRESS_JSON);
      }
    },
  }) as Record<string, unknown>;
  // The validator takes any short string and resolves it (releases.ts): the schema lists them.
  const props = generated.properties as Record<string, Record<string, unknown>>;
  props.kernel = {
    type: "string",
    enum: [...RELEASES],
    description:
      "the kernel release modelled; it decides the driver design. Either kernel or driver is required (driver alone stands for its default release).",
  };
  return {
    $schema: generated.$schema,
    $id: SCHEMA_ID,
    title: `SVA Lab scenario (${SCENARIO_FORMAT})`,
    description:
      "A scenario for SVA Lab: docs/scenario-format.md describes every field. Names that must refer to each other, overlaps and schedules are checked by sva-lab run and the page, not by this schema.",
    ...Object.fromEntries(Object.entries(generated).filter(([k]) => k !== "$schema")),
  };
}

/** The schema as the build and `npm run schema` write it. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
