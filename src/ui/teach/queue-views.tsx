/**
 * The queue panel's event-queue and PRI-queue views (fetched when first shown).
 */

import { useLab } from "../../store/store.ts";
import { RecordQueueDiagram } from "../diagrams/RecordQueueDiagram.tsx";
import { useWorld } from "../useSnapshot.ts";
import { recordQueueVm } from "./queues-vm.ts";
import { perWorld, useSelectedKey } from "./views.tsx";

const queueKey = (v: ReturnType<typeof recordQueueVm>): string =>
  `${v.prod.reg}/${v.cons.reg}/${v.slots.map((x) => `${x.state}:${x.summary}`).join(",")}`;
const evtqOf = perWorld((w) => recordQueueVm(w, "evtq"), queueKey);
const priqOf = perWorld((w) => recordQueueVm(w, "priq"), queueKey);

export function RecordQueueView({ which }: { which: "evtq" | "priq" }) {
  const w = useWorld();
  const vm = which === "evtq" ? evtqOf(w) : priqOf(w);
  const select = useLab((s) => s.select);
  const selected = useSelectedKey();
  return <RecordQueueDiagram vm={vm} selectedId={selected} onSelect={select} />;
}
