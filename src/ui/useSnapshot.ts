/** The world at the cursor, and the view models the panels draw from it (memoised per snapshot). */

import { useMemo } from "react";
import type { World } from "../engine/index.ts";
import { worldHash } from "../kernel/index.ts";
import { useLab } from "../store/store.ts";
import { cmdqVm } from "./model/cmdq.ts";
import { memoryVm } from "./model/memory.ts";
import { pageTablesVm } from "./model/pgtable.ts";
import { streamTableVm } from "./model/stream.ts";
import { tlbVm } from "./model/tlb.ts";

export function useWorld(): World {
  const result = useLab((s) => s.result);
  const cursor = useLab((s) => s.cursor);
  return result.snapshots[cursor] ?? result.final;
}

export function useStateHash(): string {
  const w = useWorld();
  return useMemo(() => worldHash(w), [w]);
}

export const useStreamTableVm = () => {
  const w = useWorld();
  return useMemo(() => streamTableVm(w), [w]);
};
export const usePageTablesVm = () => {
  const w = useWorld();
  return useMemo(() => pageTablesVm(w), [w]);
};
export const useCmdqVm = () => {
  const w = useWorld();
  return useMemo(() => cmdqVm(w), [w]);
};
export const useTlbVm = () => {
  const w = useWorld();
  return useMemo(() => tlbVm(w), [w]);
};
export const useMemoryVm = () => {
  const w = useWorld();
  return useMemo(() => memoryVm(w), [w]);
};
