/**
 * View model of the topology: who is bound to whom. Processes (their mm: state, mm_users,
 * mm_count, PASID, CPU ASID) → the driver design's per-mm objects (notifier, io_mm, SVA
 * domain: label, refs, lifecycle state, PASID, ASID) → the bindings (bond or iommu_sva
 * handle, refs, PASID) → the devices (StreamID, ATS, PRI) → the SMMU with the ASIDs and
 * PASIDs in use. Freed objects stay, marked freed, so a use-after-free has something to point at.
 */

import type { KObject, World } from "../engine/index.ts";
import { guestBindings, type MachineName, machineOf } from "../kernel/index.ts";
import { stateTags } from "../kernel/on-demand.ts";
import { machineParts } from "./parts.ts";
import { perWorld } from "./per-world.ts";
import { shareEqual } from "./same.ts";
import { tasksLine } from "./tasks.ts";

export type TopoColumn = "mm" | "object" | "bond" | "device" | "smmu";
export const TOPO_COLUMNS: readonly TopoColumn[] = ["mm", "object", "bond", "device", "smmu"];
export const COLUMN_TITLES: Readonly<Record<TopoColumn, string>> = {
  mm: "Processes (mm)",
  object: "Driver objects",
  bond: "Bindings",
  device: "Devices",
  smmu: "SMMU",
};

/** How a node reads: alive, going away, or gone. */
export type TopoTone = "live" | "dying" | "freed";

export interface TopoNode {
  readonly id: string;
  readonly column: TopoColumn;
  readonly title: string;
  readonly lines: readonly string[];
  readonly tone: TopoTone;
  /** The glossary entry the node is an instance of. */
  readonly term: string;
  /** The process it belongs to (for ordering), or "" for shared nodes. */
  readonly group: string;
  /** The VM it is inside (a guest process, a device assigned to the VM): drawn in the VM's box. */
  readonly vm?: string;
}

/** A VM, drawn as a box around its guest processes and its devices. */
export interface TopoVm {
  readonly id: string;
  readonly name: string;
  readonly title: string;
  readonly lines: readonly string[];
}

export interface TopoLink {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly label: string;
  readonly freed: boolean;
}

export interface TopologyVm {
  readonly nodes: readonly TopoNode[];
  readonly vms: readonly TopoVm[];
  readonly links: readonly TopoLink[];
  /** One-line summary for the accessible name. */
  readonly summary: string;
}

/** How a lifecycle state reads: its statechart declares it dying or freed (kernel/machines.ts). */
function tone(machine: MachineName, state: string): TopoTone {
  const tags = stateTags(machine, state);
  return tags.includes("freed") ? "freed" : tags.includes("dying") ? "dying" : "live";
}

const objectTone = (o: KObject): TopoTone => tone(machineOf(o.kind), o.state);

/** Fields that name another object: drawn as links, not text. */
const REF_FIELDS = new Set(["mn", "io_mm", "domain", "cd"]);

const TERM_OF: Readonly<Record<KObject["kind"], string>> = {
  bond: "bond",
  notifier: "mmu-notifier",
  io_mm: "io-mm",
  domain: "sva-domain",
  mm_data: "pasid",
  cd: "cd",
};

function fieldLine(o: KObject): string {
  return Object.entries(o.fields)
    .filter(([k]) => !REF_FIELDS.has(k))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(",")}]` : String(v)}`)
    .join(" ");
}

const objId = (id: number): string => `obj:${id}`;

/** The object a bond hangs from: its notifier, io_mm or domain. */
function bondParent(o: KObject, objects: Record<number, KObject>): KObject | undefined {
  for (const k of ["mn", "io_mm", "domain"]) {
    const ref = o.fields[k];
    if (typeof ref === "number" && objects[ref]) return objects[ref];
  }
  return undefined;
}

export function topologyVm(w: World): TopologyVm {
  const nodes: TopoNode[] = [];
  const links: TopoLink[] = [];
  const objects = w.kernel.objects;
  const all = Object.values(objects).sort((a, b) => a.id - b.id);

  for (const mm of w.mms) {
    const vm = mm.vm === undefined ? undefined : w.vms?.find((v) => v.name === mm.vm);
    const bound = vm && mm.state !== "freed" ? guestBindings(w, vm, mm.process) : [];
    nodes.push({
      id: `mm:${mm.process}`,
      column: "mm",
      title: vm ? `guest mm of ${mm.process}` : `mm of ${mm.process}`,
      lines: [
        `mm ${mm.state} · PASID ${mm.pasid ?? "none"}`,
        `mm_users ${mm.users}, mm_count ${mm.count}`,
        ...(mm.tasks ? [tasksLine(mm)] : []),
        vm ? `pgd IPA 0x${mm.pgd.toString(16)}` : `CPU ASID ${mm.cpuAsid}`,
        ...bound.map((b) => `guest ASID ${b.asid} on ${b.device.name}`),
      ],
      tone: tone("mm", mm.state),
      term: vm ? "nested" : "mm-users",
      group: mm.process,
      ...(vm ? { vm: vm.name } : {}),
    });
    // The guest kernel's SVA bindings: its own PASID (mm.pasid) and ASID, unknown to the host.
    for (const b of bound) {
      links.push({
        id: `mm:${mm.process}>dev:${b.device.name}`,
        from: `mm:${mm.process}`,
        to: `dev:${b.device.name}`,
        label: `PASID ${mm.pasid ?? "?"}`,
        freed: false,
      });
    }
  }

  for (const o of all) {
    const isBond = o.kind === "bond";
    nodes.push({
      id: objId(o.id),
      column: isBond ? "bond" : "object",
      title: `${o.label} #${o.id}`,
      lines: [`${o.state} · refs ${o.refs}`, fieldLine(o)].filter((l) => l !== ""),
      tone: objectTone(o),
      term: TERM_OF[o.kind],
      group: o.process,
    });
    const freed = objectTone(o) === "freed";
    if (isBond) {
      const parent = bondParent(o, objects);
      const from = parent ? objId(parent.id) : `mm:${o.process}`;
      links.push({ id: `${from}>${objId(o.id)}`, from, to: objId(o.id), label: "", freed });
      if (o.device !== null) {
        const pasid = o.fields.pasid;
        links.push({
          id: `${objId(o.id)}>dev:${o.device}`,
          from: objId(o.id),
          to: `dev:${o.device}`,
          label: typeof pasid === "number" ? `PASID ${pasid}` : "",
          freed,
        });
      }
    } else {
      // A notifier inside a domain or an io_mm hangs from it; anything else from the mm.
      const owner = ["domain", "io_mm"]
        .map((k) => o.fields[k])
        .find((v): v is number => typeof v === "number" && objects[v] !== undefined);
      const from = owner !== undefined ? objId(owner) : `mm:${o.process}`;
      links.push({ id: `${from}>${objId(o.id)}`, from, to: objId(o.id), label: "", freed });
    }
  }

  for (const d of w.devices) {
    const told = Object.entries(d.pasids).map(([p, n]) => `${p}=${n}`);
    nodes.push({
      id: `dev:${d.name}`,
      column: "device",
      title: `device ${d.name}`,
      lines: [
        d.vm !== undefined ? `vSID ${d.vsid} → StreamID ${d.sid}` : `StreamID ${d.sid}`,
        `ATS ${d.ats ? "yes" : "no"} · PRI ${d.pri ? "yes" : "no"}`,
        `ATC ${d.atc.length} entr${d.atc.length === 1 ? "y" : "ies"}`,
        ...(told.length ? [`told PASID ${told.join(",")}`] : []),
      ],
      tone: "live",
      term: d.vm !== undefined ? "vsid" : "streamid",
      group: "",
      ...(d.vm !== undefined ? { vm: d.vm } : {}),
    });
    links.push({
      id: `dev:${d.name}>smmu`,
      from: `dev:${d.name}`,
      to: "smmu",
      label: "",
      freed: false,
    });
  }

  const asids = Object.entries(w.kernel.asids).map(
    ([a, v]) => `ASID ${a} ${v.owner}${v.refs > 1 ? ` ×${v.refs}` : ""}`,
  );
  const pasids = Object.entries(w.kernel.pasids).map(
    ([p, v]) => `PASID ${p} ${v.owner}${v.refs > 1 ? ` ×${v.refs}` : ""}`,
  );
  const features = Object.entries(w.smmu.features)
    .filter(([, on]) => on)
    .map(([f]) => f.toUpperCase());
  nodes.push({
    id: "smmu",
    column: "smmu",
    title: "SMMU",
    lines: [
      features.length > 0 ? features.join(" ") : "no optional features",
      `IOTLB ${w.smmu.iotlb.length} · walk cache ${w.smmu.walkCache.length}`,
      ...(asids.length > 0 ? asids : ["no ASID in use"]),
      ...(pasids.length > 0 ? pasids : ["no PASID allocated"]),
    ],
    tone: "live",
    term: "smmu",
    group: "",
  });

  const vms: TopoVm[] = (w.vms ?? []).map((v) => ({
    id: `vm:${v.name}`,
    name: v.name,
    title: `VM ${v.name} · VMID ${v.vmid}`,
    lines: [
      `S2TTB 0x${v.s2ttb.toString(16)} · ${v.pages} pages`,
      ...(v.cerror !== 0 ? ["vSMMU stopped: CERROR_ILL"] : []),
    ],
  }));
  const live = all.filter((o) => objectTone(o) !== "freed").length;
  const summary = `${w.mms.length} process${w.mms.length === 1 ? "" : "es"}, ${live} live driver object${live === 1 ? "" : "s"} of ${all.length}, ${w.devices.length} device${w.devices.length === 1 ? "" : "s"}`;
  const inVms = (w.vms ?? []).map((v) => `, VM ${v.name} with VMID ${v.vmid}`).join("");
  return { nodes, vms, links, summary: summary + inVms };
}

/** Cached per world, and warmed once the topology has been shown (warm.ts). */
export const topologyOf = /* @__PURE__ */ perWorld(topologyVm, { parts: machineParts, share: shareEqual });
