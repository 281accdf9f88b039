/**
 * The reduction's `dma-own-domain` and `touch-noop` rules (por.ts `dmaAlone`, `touchNoop`): a
 * DMA through the device's own DMA domain, and a CPU access that changes nothing, are taken
 * alone only where nothing another actor may do can change that, and taking them alone keeps
 * every outcome. persistent.test.ts checks the claims on random paths wherever a rule holds;
 * this checks where they must not hold, and that a race with such a DMA finds the same outcomes
 * reduced as in full.
 */
import { describe, expect, it } from "vitest";
import { race } from "../../bench/races.ts";
import "../kernel/all.ts";
import { parseScenario } from "../scenario/index.ts";
import type { Op, Scenario } from "../scenario/types.ts";
import { exploreScenario } from "./explore.ts";
import { singletons } from "./por.ts";
import { runnableActors, startExplore } from "./start.ts";

function parsed(json: Record<string, unknown>): Scenario {
  const p = parseScenario(json);
  if (!p.ok) throw new Error(p.error);
  return p.value;
}

/** The rules that take an actor alone at the race's first state, as "actor rule". */
function aloneAtStart(s: Scenario): string[] {
  const start = startExplore(s);
  const runnable = runnableActors(start.sim, start.root);
  return [...singletons(start.sim, start.root, start.names, runnable)].map(
    ([a, rule]) => `${start.names[a]} ${rule}`,
  );
}

/** The 5-thread race (T4: gpu1's DMA without PASID), changed by `edit`. */
function fiveThreads(driver: string, edit: (json: Record<string, unknown>) => void = () => {}): Scenario {
  // A copy: the race's threads are the benchmark module's own objects.
  const json = structuredClone(race(driver, 5));
  edit(json);
  return parsed(json);
}

const threadsOf = (json: Record<string, unknown>) => json.threads as { name: string; ops: Op[] }[];

describe.each(["arm-smmu-v3-sva", "io-mm-2018", "sva-domain"])("%s", (driver) => {
  it("takes a DMA through a device's own domain alone", () => {
    expect(aloneAtStart(fiveThreads(driver))).toContain("T4 dma-own-domain");
  });

  it("not when another thread may bind the device", () => {
    const s = fiveThreads(driver, (json) => {
      threadsOf(json)[1]!.ops = [{ op: "bind", process: "app", device: "gpu1" }, ...threadsOf(json)[1]!.ops];
    });
    expect(aloneAtStart(s)).not.toContain("T4 dma-own-domain");
  });

  it("not when the access faults (its event goes to the queue other DMAs write)", () => {
    const s = fiveThreads(driver, (json) => {
      threadsOf(json)[4]!.ops = [
        { op: "dma", device: "gpu1", process: "app", va: 0x7000000, access: "write" },
      ];
    });
    expect(aloneAtStart(s)).not.toContain("T4 dma-own-domain");
  });

  it("not when its domain's ASID is the process's CPU ASID", () => {
    const s = fiveThreads(driver, (json) => {
      const [app] = json.processes as Record<string, unknown>[];
      app!.asid = startExplore(fiveThreads(driver)).root.devices[1]!.dmaAsid;
    });
    expect(aloneAtStart(s)).not.toContain("T4 dma-own-domain");
  });

  it("a race with such a DMA finds the same outcomes reduced as in full, in fewer states", () => {
    // T0 bind + unbind, T1 exit, T2 gpu1's DMA.
    const s = parsed({
      ...race(driver, 2),
      devices: [
        { name: "gpu0", sid: 16, ats: true },
        { name: "gpu1", sid: 17, ats: true },
      ],
      threads: [
        ...threadsOf(race(driver, 2)),
        { name: "T2", ops: [{ op: "dma", device: "gpu1", process: "app", va: "0x10000", access: "write" }] },
      ],
    });
    const kinds = (r: ReturnType<typeof exploreScenario>) => r.outcomes.map((o) => o.violations.join("+"));
    const full = exploreScenario(s, { reduce: false });
    const reduced = exploreScenario(s);
    expect(full.complete && reduced.complete).toBe(true);
    expect(kinds(reduced)).toEqual(kinds(full));
    expect(aloneAtStart(s)).toContain("T2 dma-own-domain");
    expect(reduced.states).toBeLessThan(full.states);
  });
});

describe.each(["arm-smmu-v3-sva", "sva-domain"])("a CPU access that changes nothing, %s", (driver) => {
  const sixThreads = (edit: (json: Record<string, unknown>) => void = () => {}) => {
    const json = structuredClone(race(driver, 6));
    edit(json);
    return parsed(json);
  };

  it("is taken alone (T5 writes a page that is mapped writable)", () => {
    expect(aloneAtStart(sixThreads())).toContain("T5 touch-noop");
  });

  it("not when it faults a page in", () => {
    const s = sixThreads((json) => {
      const [app] = json.processes as { vmas: Record<string, unknown>[] }[];
      app!.vmas.push({ start: 0x20000, pages: 1, prot: "rw" });
      threadsOf(json)[5]!.ops = [{ op: "touch", process: "app", va: 0x20000, access: "write" }];
    });
    expect(aloneAtStart(s)).not.toContain("T5 touch-noop");
  });

  it("not when another thread may mprotect the process (a VMA may come to allow it)", () => {
    const s = sixThreads((json) => {
      threadsOf(json)[3]!.ops = [{ op: "mprotect", process: "app", start: 0x10000, pages: 1, prot: "r" }];
    });
    expect(aloneAtStart(s)).not.toContain("T5 touch-noop");
  });
});
