/**
 * The scenario format (CONTRACT §1), its validation and the shareable link (CONTRACT §5).
 * Pure TypeScript: no DOM, no React; the page, the worker and the command-line runner share it.
 */
export type { JsonObject, JsonValue } from "./json-form.ts";
export { hexAddress, scenarioToJson } from "./json-form.ts";
export { largeScenario } from "./large.ts";
export { SCENARIO_LIMITS } from "./limits.ts";
export {
  DEVICE_DEFAULTS,
  parseScenario,
  parseScenarioText,
  SMMU_DEFAULTS,
  toAddress,
  VMA_DEFAULTS,
} from "./schema.ts";
export * from "./types.ts";
export type { SharedScenario, UrlOptions } from "./url.ts";
export {
  CUT_SHORT,
  cleanLinkText,
  DAMAGED,
  DEFAULT_URL_BASE,
  decodeScenarioUrl,
  encodeScenarioFragment,
  encodeScenarioUrl,
  encodeViewParam,
  looksLikeLink,
  MODEL_VERSION,
  modelNote,
  URL_LIMITS,
  URL_VERSION,
} from "./url.ts";
