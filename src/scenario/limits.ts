/**
 * Size caps on a scenario. They are far above anything a person writes, and low enough that a
 * hostile file or link cannot make the page build millions of objects or draw a 10 MB title.
 * Besides how many objects a scenario has, two caps bound what it costs to run: the pages it
 * populates at boot (each a frame, a PTE and its share of the page tables, copied by every
 * checkpoint) and the steps a run may take. docs/limits.md gives each value and why.
 */
export const SCENARIO_LIMITS = {
  processes: 256,
  devices: 64,
  vms: 8,
  threads: 64,
  vmasPerProcess: 256,
  tasksPerProcess: 64,
  /** Ops in all threads together. */
  ops: 10_000,
  schedule: 100_000,
  faults: 64,
  /** Names, title, schedule entries, fault names. */
  string: 200,
  description: 4000,
  /**
   * Pages populated at boot (`populate: true`), all processes together: 256 MiB of simulated
   * memory, four times the large benchmark scenario's 16,384.
   */
  populatedPages: 65_536,
  /**
   * Micro-steps a run may take before it is stopped (the runner's and the page's bound): about
   * twice the large benchmark scenario's 13,696, the longest run the page is tuned for (the page
   * keeps every step: 100,000 steps took 1 GiB of a Chromium tab). Range ops cost the tables
   * present, not the pages of the range, so no other cap is needed on what ops walk.
   */
  steps: 30_000,
  /** Characters of scenario JSON text that `parseScenarioText` reads. */
  text: 4 * 1024 * 1024,
} as const;

/**
 * log2 of the StreamIDs each stream table format covers (STRTAB_BASE_CFG.LOG2SIZE as the model
 * sets it): a linear table of 256 STEs (one PCI bus), a 2-level one of 65,536 (256 leaves of
 * 256). Linux refuses to probe a master whose StreamID is beyond it (arm_smmu_sid_in_range,
 * -ERANGE), so the validator refuses such a device instead of booting a machine without it.
 */
export const STREAM_TABLE_LOG2SIZE = { linear: 8, "2lvl": 16 } as const;

export const PAGE_SIZE = 4096;
/** Addresses are 48-bit virtual addresses (arm64, 4 KiB granule, 4 levels). */
export const ADDRESS_LIMIT = 2 ** 48;
export const MAX_PAGES = ADDRESS_LIMIT / PAGE_SIZE;

/** Actors a schedule may name besides the threads (CONTRACT §1, Scheduling). */
export const SMMU_ACTOR = "smmu";
export const SRCU_ACTOR = "srcu";
/** The kernel's I/O page-fault handler (PRI queue and stall events). */
export const IOPF_ACTOR = "iopf";
export const RUN_OP_SUFFIX = ":op";
