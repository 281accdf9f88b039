/**
 * The engine's second public face: what the page's views load with themselves, kept out of the
 * first download (index.ts re-exports land in it). The page-table tree reads its tables here.
 */

export * from "./pgtable-entries.ts";
