/**
 * The kernel model's second public face: what the page's views load with themselves, kept out
 * of the first download (index.ts re-exports land in it): the states' meanings (the topology)
 * and a step taken again with its translation path (the path view).
 */

export { type LifecycleTag, stateTags } from "./machine-tags.ts";
export { dmaPathOf, stepAgain } from "./step-again.ts";
