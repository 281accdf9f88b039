/**
 * The queue panel's event-queue and PRI-queue views (fetched when first shown).
 */

import { useLab } from "../../../store/store.ts";
import { recordQueueVm } from "../../../view/records.ts";
import { shareEqual } from "../../../view/same.ts";
import { perWorld, useWorld } from "../../app/useSnapshot.ts";
import { useSelectedKey } from "../views.tsx";
import { RecordQueueDiagram } from "./RecordQueueDiagram.tsx";

const evtqOf = perWorld((w) => recordQueueVm(w, "evtq"), shareEqual);
const priqOf = perWorld((w) => recordQueueVm(w, "priq"), shareEqual);

export function RecordQueueView({ which }: { which: "evtq" | "priq" }) {
  const w = useWorld();
  const vm = which === "evtq" ? evtqOf(w) : priqOf(w);
  const select = useLab((s) => s.select);
  const selected = useSelectedKey();
  return <RecordQueueDiagram vm={vm} selectedId={selected} onSelect={select} />;
}
