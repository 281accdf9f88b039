/**
 * The catalogue of what can happen in a step, as one typed union named `unit.step.outcome`
 * (QEMU `hw/arm/trace-events` is the model). All engine and kernel code records through
 * `Recorder`, and the runner turns the records into the trace of CONTRACT §3.
 */

import type { PathLog, PathRequest, TranslationPath } from "./xlate-path.ts";

export type ViolationKind =
  | "stale-translation"
  | "use-after-free"
  | "pasid-reuse"
  | "asid-conflict"
  | "walk-freed-table"
  | "refcount"
  | "deadlock"
  | "leak"
  /** A CD, or a cached CD, still valid for a PASID that has been freed (at the free, and at the end). */
  | "stale-cd"
  /** A path writes the CD of an SSID its binding does not own. */
  | "foreign-cd-write"
  /** A kernel loop that makes no progress: the run cuts it after a bound. */
  | "livelock"
  /**
   * An invalidation has completed (its CMD_SYNC), yet the SMMU still caches configuration it
   * covered — an L1 CD descriptor — that memory no longer holds.
   */
  | "stale-config"
  /**
   * A DMA of a process whose mm is live and that never unbound the device faulted, because
   * another task's exit tore the binding down (the 2017 RFC's binding tied to the task).
   */
  | "lost-binding";

export type DmaVia = "atc" | "iotlb" | "walk";

export interface DmaOutcome {
  readonly device: string;
  readonly sid: number;
  readonly pasid: number | null;
  readonly va: number;
  readonly access: "read" | "write";
  /** ok; fault; pri (a page request was sent instead); stall (held in the SMMU until RESUME). */
  readonly result: "ok" | "fault" | "pri" | "stall";
  /** The PRG index of the page request, or the STAG of the stall. */
  readonly prg?: number;
  readonly stag?: number;
  readonly via?: DmaVia;
  readonly pa?: number;
  readonly stale: boolean;
  /** Whose frame the access reached, in words. */
  readonly owner?: string;
  /** The event the SMMU raised, if any. */
  readonly fault?: string;
}

export type TraceEvent =
  | { readonly type: "cmdq.insert"; readonly seq: number; readonly words: readonly [bigint, bigint] }
  | { readonly type: "smmu.cmd.consume"; readonly seq: number; readonly words: readonly [bigint, bigint] }
  /** A guest's driver wrote a command to its virtual SMMU's queue. */
  | {
      readonly type: "vcmdq.insert";
      readonly vm: string;
      readonly seq: number;
      readonly words: readonly [bigint, bigint];
    }
  /**
   * The VMM took a guest command: completed (a CMD_SYNC), converted to `host`, or refused.
   * `hostSeq`: the host command queue's slot sequence number the converted command was issued
   * at (absent when it was not issued: a CMD_SYNC, or a batch that a refused command stopped).
   */
  | {
      readonly type: "vcmdq.consume";
      readonly vm: string;
      readonly seq: number;
      readonly host: readonly [bigint, bigint] | null;
      readonly error: string | null;
      readonly hostSeq?: number;
    }
  | {
      readonly type: "smmu.evtq.record";
      readonly name: string;
      readonly code: number;
      readonly sid: number;
      readonly ssid: number | null;
      readonly addr: number;
      readonly words: readonly bigint[];
    }
  | {
      readonly type: "smmu.cfg.fetch";
      /** L1CD: the L1 CD descriptor of a 2-level CD table that locates CD[ssid]. */
      readonly what: "STE" | "CD" | "L1CD";
      readonly sid: number;
      readonly ssid?: number;
    }
  | {
      readonly type: "smmu.walk";
      readonly sid: number;
      readonly ssid: number;
      /** Physical addresses of the stage-1 tables read. */
      readonly tables: readonly number[];
      /**
       * Nested: the same tables by IPA (what the guest's descriptors hold), the stage-1 output
       * IPA, and the stage 2 that translated them.
       */
      readonly stage2?: {
        readonly vmid: number;
        readonly s2ttb: number;
        readonly ipas: readonly number[];
        readonly output: number | null;
      };
    }
  /** A CPU's broadcast TLBI the SMMU applied (BTM): what it dropped. */
  | {
      readonly type: "smmu.tlbi.broadcast";
      readonly tlbi: "VAE1IS" | "VALE1IS" | "ASIDE1IS";
      readonly asid: number;
      readonly va?: number;
      readonly size?: number;
      readonly iotlb: number;
      readonly walkCache: number;
    }
  /** The SMMU stopped at the command at CONS (CMDQ_CONS.ERR, GERROR.CMDQ_ERR). */
  | {
      readonly type: "smmu.cmdq.error";
      readonly seq: number;
      readonly cerror: number;
      readonly why: string;
      readonly words: readonly [bigint, bigint];
    }
  /** A driver overwrote the command at CONS with a CMD_SYNC (arm_smmu_cmdq_skip_err). */
  | {
      readonly type: "cmdq.skip";
      /** "cmdq", or the VM whose vSMMU queue it was. */
      readonly queue: string;
      readonly seq: number;
      readonly addr: number;
      readonly was: readonly [bigint, bigint];
      readonly words: readonly [bigint, bigint];
    }
  /** One stage of the hitless STE/CD writer (arm_smmu_write_entry): its sync follows. */
  | {
      readonly type: "entry.write";
      readonly stage: number;
      readonly stages: number;
      readonly hitless: boolean;
    }
  /** `path`: the tables the SMMU read for it, or the cache that answered (xlate-path.ts). */
  | { readonly type: "dev.dma"; readonly dma: DmaOutcome; readonly path?: TranslationPath }
  | { readonly type: "mem.write"; readonly what: string; readonly addr: number }
  /**
   * A lifecycle statechart moved (kernel/machines.ts): the mm (`object`: its process) or a
   * kernel object (its id). What the new state means: kernel/machine-tags.ts.
   */
  | {
      readonly type: "kernel.lifecycle";
      readonly machine: "mm" | "object" | "notifier";
      readonly object: number | string;
      readonly from: string;
      readonly to: string;
    }
  | { readonly type: "check.violation"; readonly kind: ViolationKind; readonly text: string };

export class Recorder {
  /** A silent recorder keeps only violations (the explorer's): code may skip building texts. */
  readonly silent: boolean = false;
  readonly events: TraceEvent[] = [];
  /** The step's explanation, sentence by sentence. */
  readonly text: string[] = [];
  /**
   * The kernel function the step ran, when it is not the one its program names: a step shared
   * by two releases whose code gives the function another name.
   */
  fn: string | null = null;
  /**
   * Set (to xlate-path.ts `pathLog`) to record each translation's path: the tables the SMMU
   * read, or the caches that answered. Unset, the SMMU builds none.
   */
  paths: ((req: PathRequest) => PathLog) | null = null;

  record(ev: TraceEvent): void {
    this.events.push(ev);
  }

  say(sentence: string): void {
    this.text.push(sentence);
  }

  violation(kind: ViolationKind, text: string): void {
    this.events.push({ type: "check.violation", kind, text });
  }
}

/**
 * The explorer's recorder: it keeps the violations and drops the step texts and the other
 * events nobody reads there. One is reused for every step (`reset` between steps).
 */
export class SilentRecorder extends Recorder {
  override readonly silent: boolean = true;

  override record(_ev: TraceEvent): void {}

  override say(_sentence: string): void {}

  reset(): void {
    this.events.length = 0;
  }
}
