/**
 * The scenario as the kernel model consumes it: validated, defaults filled in, addresses as
 * numbers. The JSON form people write (CONTRACT §1) is parsed into this by `parseScenario`.
 */

import type { KernelRelease } from "./releases.ts";

export const SCENARIO_FORMAT = "sva-lab/1";

export type DriverDesign = "arm-smmu-v3-sva" | "io-mm-2018" | "sva-domain" | "iommu-process-2017";
export const DRIVER_DESIGNS: readonly DriverDesign[] = [
  "arm-smmu-v3-sva",
  "io-mm-2018",
  "sva-domain",
  "iommu-process-2017",
];

export type SmmuFeature = "ats" | "pri" | "btm" | "ril" | "stall" | "nested";
export const SMMU_FEATURES: readonly SmmuFeature[] = ["ats", "pri", "btm", "ril", "stall", "nested"];

export type Prot = "r" | "rw" | "none";
export type Access = "read" | "write";

export interface SmmuSpec {
  readonly features: readonly SmmuFeature[];
  /** 8 or 16. */
  readonly asidBits: number;
  /** 0..20: log2 of the number of SubstreamIDs (PASIDs). */
  readonly ssidBits: number;
  /** A power of two, 2..2^19. */
  readonly cmdqEntries: number;
  readonly streamTable: "linear" | "2lvl";
  readonly cdTable: "linear" | "2lvl";
}

export interface DeviceSpec {
  readonly name: string;
  readonly sid: number;
  readonly ats: boolean;
  readonly pri: boolean;
  /** log2 of the PASIDs the device supports (PCIe PASID capability width); default 20. */
  readonly pasidBits: number;
}

export interface VmaSpec {
  readonly start: number;
  readonly pages: number;
  readonly prot: Prot;
  /** Fault every page in at start (MAP_POPULATE). */
  readonly populate: boolean;
}

/** A device given to a VM, and the virtual StreamID its guest knows it by (an iommufd vDEVICE). */
export interface VmDeviceSpec {
  readonly device: string;
  readonly vsid: number;
}

/**
 * A virtual machine (needs the `nested` feature): the host maps its RAM in a stage-2 domain and
 * gives it a vIOMMU; its guest kernel runs its own SMMUv3 driver on a virtual SMMU, with its own
 * stream table, CD tables and page tables in guest RAM, and SVA for its own processes.
 */
export interface VmSpec {
  readonly name: string;
  readonly devices: readonly VmDeviceSpec[];
  /** Guest RAM in 4 KiB pages (default 256). */
  readonly pages: number;
  /**
   * The guest driver's CD tables (its vSTEs' S1Fmt): linear (absent) or 2-level with 64 KiB
   * leaves of 1024 CDs, which the guest grows when a PASID needs a new leaf.
   */
  readonly cdTable?: GuestCdTable;
  /** What the guest's vSTEs say of DMA without PASID (S1DSS); absent: "ssid0". */
  readonly s1dss?: GuestS1Dss;
  /** The first PASID the guest kernel hands out (absent: 1), as if lower ones were taken. */
  readonly pasidBase?: number;
}

export type GuestCdTable = "linear" | "2lvl";
/**
 * STE.S1DSS as a guest chooses it: "ssid0" (CD 0 holds its DMA domain), "bypass" (an identity
 * default domain: no CD 0, stage 2 only) or "terminate" (a blocked one: no CD 0, DMA without
 * PASID faults with F_STREAM_DISABLED).
 */
export type GuestS1Dss = "ssid0" | "bypass" | "terminate";
export const GUEST_S1DSS: readonly GuestS1Dss[] = ["ssid0", "bypass", "terminate"];

/** Commands a guest can write to its virtual SMMU's command queue with `guest-cmd`. */
export const GUEST_CMDS = [
  "CFGI_CD",
  "CFGI_CD_ALL",
  "TLBI_NH_VA",
  "TLBI_NH_VAA",
  "TLBI_NH_ASID",
  "TLBI_NH_ALL",
  "TLBI_NSNH_ALL",
  "ATC_INV",
  "CFGI_STE",
  "CFGI_ALL",
  "TLBI_S12_VMALL",
  "TLBI_S2_IPA",
] as const;
export type GuestCmdName = (typeof GUEST_CMDS)[number];

export interface ProcessSpec {
  readonly name: string;
  /** The VM the process runs in; absent: a host process. */
  readonly vm?: string;
  readonly vmas: readonly VmaSpec[];
  /**
   * The CPU ASID arch/arm64/mm/context.c gave the mm (default: one far from the SMMU's own
   * ASIDs). Setting it to an ASID a private DMA domain uses shows arm_smmu_share_asid at work.
   */
  readonly asid?: number;
  /**
   * The process's tasks (threads sharing its mm), each holding an mm_users reference; absent:
   * one task, named like the process (docs/tasks.md).
   */
  readonly tasks?: readonly string[];
}

/** A process's task names: its `tasks`, or the one task named like the process. */
export function taskNames(p: ProcessSpec): readonly string[] {
  return p.tasks ?? [p.name];
}

/** The task of the process that performs an op; absent: the process's first task. */
export interface TaskField {
  readonly task?: string;
}

export type Op = TaskField &
  (
    | { readonly op: "bind"; readonly process: string; readonly device: string }
    | { readonly op: "unbind"; readonly process: string; readonly device: string }
    | {
        readonly op: "dma";
        readonly device: string;
        readonly process: string;
        readonly va: number;
        readonly access: Access;
        /** Overrides the PASID the device puts on the transaction. */
        readonly pasid?: number;
      }
    | {
        readonly op: "mmap";
        readonly process: string;
        readonly start: number;
        readonly pages: number;
        readonly prot: Prot;
      }
    | { readonly op: "touch"; readonly process: string; readonly va: number; readonly access: Access }
    | { readonly op: "munmap"; readonly process: string; readonly start: number; readonly pages: number }
    | {
        readonly op: "mprotect";
        readonly process: string;
        readonly start: number;
        readonly pages: number;
        readonly prot: Prot;
      }
    | { readonly op: "exit"; readonly process: string }
    | {
        /**
         * The guest kernel of the process's VM writes one command (and a CMD_SYNC) to its vSMMU;
         * SSIDs and ASIDs are the process's, the StreamID the device's virtual one.
         */
        readonly op: "guest-cmd";
        readonly process: string;
        /** One command, or several queued together before the one CMD_SYNC. */
        readonly cmd: GuestCmdName | readonly GuestCmdName[];
        /** Default: the VM's first device. */
        readonly device?: string;
        /** For the commands by address; default the process's first VMA. */
        readonly va?: number;
      }
  );

export type OpName = Op["op"];
export const OP_NAMES: readonly OpName[] = [
  "bind",
  "unbind",
  "dma",
  "mmap",
  "touch",
  "munmap",
  "mprotect",
  "exit",
  "guest-cmd",
];

export interface ThreadSpec {
  readonly name: string;
  readonly ops: readonly Op[];
}

/** `"T0"`, `"T0:op"` or `"smmu"` (CONTRACT §1, Scheduling). */
export type ScheduleEntry = string;

export interface Scenario {
  readonly format: typeof SCENARIO_FORMAT;
  readonly title: string;
  readonly description?: string;
  /** The kernel release modelled (`releases.ts`): it decides the design and every dated change. */
  readonly kernel: KernelRelease;
  /** The driver design of `kernel` (files and links made before releases name only this). */
  readonly driver: DriverDesign;
  readonly faults: readonly string[];
  readonly smmu: SmmuSpec;
  readonly devices: readonly DeviceSpec[];
  readonly processes: readonly ProcessSpec[];
  readonly threads: readonly ThreadSpec[];
  readonly schedule?: readonly ScheduleEntry[];
  /**
   * The lowest PASID the allocator hands out, as if the ones below were held by users outside
   * the scenario (default 1). A large one shows a 2-level CD table growing a leaf.
   */
  readonly pasidBase?: number;
  readonly vms?: readonly VmSpec[];
}

export type Parsed<T> =
  | {
      readonly ok: true;
      readonly value: T;
      /** What a migration changed (migrate.ts): a scenario from an earlier SVA Lab, opened. */
      readonly notes?: readonly string[];
    }
  | { readonly ok: false; readonly error: string };
