import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FAULT_NAMES } from "../kernel/faults.ts";
import lifecycle from "../scenario/library/lifecycle.json";
import { main } from "./main.ts";

/** Runs the CLI in-process, collecting what it prints. */
function cli(...args: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const dir = mkdtempSync(join(tmpdir(), "sva-lab-cli-"));
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

describe("sva-lab run", () => {
  it("exits 0 and prints the trace JSON of CONTRACT §3", () => {
    const r = cli("run", file("ok.json", lifecycle), "--json");
    expect(r.code).toBe(0);
    const t = JSON.parse(r.out);
    expect(t.format).toBe("sva-lab-trace/1");
    expect(t.commands[0]).toMatchObject({
      op: "CFGI_CD",
      words: ["0x0000001000001005", "0x0000000000000001"],
      sid: 16,
      ssid: 1,
      leaf: true,
    });
    expect(t.pasids).toEqual({ app: 1 });
    expect(t.stateHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it("exits 1 when an invariant breaks, and names it in the human trace", () => {
    const r = cli("run", file("bad.json", { ...lifecycle, faults: ["skip-atc-inv"] }));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /!! stale-translation: gpu0 read 0x10000 through a stale translation from the device's ATC/,
    );
  });

  it("stops after --until steps", () => {
    const t = JSON.parse(cli("run", file("ok2.json", lifecycle), "--json", "--until", "5").out);
    expect(t.steps).toHaveLength(5);
  });

  it.each([
    ["a missing file", ["run", join(dir, "nope.json")], /nope\.json: cannot read the file \(ENOENT\)/],
    ["malformed JSON", ["run", file("m.json", "{ nope")], /m\.json: not valid JSON/],
    [
      "an unknown op",
      ["run", file("u.json", { ...lifecycle, threads: [{ name: "T0", ops: [{ op: "munmapp" }] }] })],
      /u\.json: threads\[0\]\.ops\[0\]\.op: unknown op "munmapp"/,
    ],
    [
      "an impossible schedule",
      ["run", file("s.json", { ...lifecycle, schedule: ["smmu"] })],
      /schedule\[0\]: smmu cannot step/,
    ],
    ["a broken URL", ["run", "https://sva-lab.invalid/#v1.garbage"], /^sva-lab: URL: /],
    ["an unknown command", ["frobnicate"], /unknown command "frobnicate"/],
    [
      "a bad --until",
      ["run", file("ok3.json", lifecycle), "--until", "-3"],
      /--until: expected a non-negative integer/,
    ],
  ])("exits 2 with one line on stderr for %s", (_what, args, message) => {
    const r = cli(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.split("\n")[0]).toMatch(/^sva-lab: /);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe("sva-lab url / decode", () => {
  it("round-trips a scenario through its URL, and run accepts the URL", () => {
    const url = cli("url", file("rt.json", lifecycle)).out;
    expect(url).toMatch(/^https:\/\/sva-lab\.invalid\/#v1\./);
    const decoded = JSON.parse(cli("decode", url).out);
    expect(decoded.title).toBe(lifecycle.title);
    expect(JSON.parse(cli("run", url, "--json").out).stateHash).toBe(
      JSON.parse(cli("run", file("rt2.json", lifecycle), "--json").out).stateHash,
    );
  });
});

describe("sva-lab faults / explore", () => {
  it("lists every fault with a line on it", () => {
    const out = cli("faults").out;
    for (const f of FAULT_NAMES) expect(out).toMatch(new RegExp(`^${f}\\s+\\S`, "m"));
  });

  it("explore --json gives the outcomes with schedules that run replays", () => {
    const path = file("race.json", { ...lifecycle, faults: ["skip-atc-inv"] });
    const r = cli("explore", path, "--json");
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ format: "sva-lab-explore/1", complete: true });
    const bad = report.outcomes.find((o: { violations: string[] }) =>
      o.violations.includes("stale-translation"),
    );
    expect(cli("run", bad.url).code).toBe(1);
  });
});

describe("sva-lab kernels and --kernel", () => {
  it("lists every release from v5.11 to the newest with the changes that land in each", () => {
    const r = cli("kernels");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^rfc-2018 +io-mm-2018/m);
    expect(r.out).toMatch(/^v5\.11 +arm-smmu-v3-sva/m);
    expect(r.out).toMatch(/^v5\.18 +arm-smmu-v3-sva\n +\+ pasid-mm-lifetime: /m);
    expect(r.out).toContain('2667ed10d9f0 ("mm: Fix PASID use-after-free issue")');
    expect(r.out).toMatch(/^v6\.10 +sva-domain/m);
    const json = JSON.parse(cli("kernels", "--json").out);
    expect(json.format).toBe("sva-lab-kernels/1");
    expect(json.releases.find((x: { release: string }) => x.release === "v5.18").changes).toContain(
      "pasid-mm-lifetime",
    );
  });

  it("runs a scenario on the release --kernel names, and the trace says which", () => {
    const path = file("k.json", lifecycle);
    expect(JSON.parse(cli("run", path, "--json").out)).toMatchObject({
      kernel: "v6.1",
      driver: "arm-smmu-v3-sva",
    });
    expect(JSON.parse(cli("run", path, "--json", "--kernel", "v5.15").out).kernel).toBe("v5.15");
    expect(cli("run", path).out.split("\n")[0]).toMatch(/— kernel v6\.1 \(arm-smmu-v3-sva\)/);
  });

  it("refuses an unknown release with exit 2 and one line naming kernel and the range", () => {
    const r = cli("run", file("k2.json", lifecycle), "--kernel", "v4.19");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^sva-lab: --kernel: unknown release "v4\.19" \(expected "v5\.11" … "v6\.\d+" or "rfc-2018", "nested-v1-2023"\)$/,
    );
    const bad = cli("run", file("k3.json", { ...lifecycle, kernel: "6.1" }));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/: kernel: unknown release "6\.1"/);
  });
});

describe("bounded input and links that cannot be made (issue 15)", () => {
  /** A scenario whose link is longer than 64 KiB: 256 processes with incompressible names. */
  const unlinkable = () => {
    let x = 12345;
    const noise = () =>
      Array.from({ length: 190 }, () => {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        return String.fromCharCode(0x4e00 + (x % 20000));
      }).join("");
    return {
      ...lifecycle,
      processes: [...lifecycle.processes, ...Array.from({ length: 255 }, () => ({ name: noise() }))],
    };
  };

  it("reads no more of a file than a scenario may hold: /dev/zero is refused, exit 2", () => {
    const r = cli("run", "/dev/zero");
    expect(r.code).toBe(2);
    expect(r.err).toBe("sva-lab: /dev/zero: the file is too large (more than 16777216 bytes)");
  });

  it("url of a scenario too large for a link says so in one line, exit 2", () => {
    const r = cli("url", file("unlinkable.json", unlinkable()));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^sva-lab: .*unlinkable\.json: the scenario is too large for a link \(\d+ characters; the limit is 65536\)$/,
    );
    expect(r.out).toBe("");
  });

  it("explore keeps its result when the outcomes' links would be too long: printed without url", () => {
    const r = cli("explore", file("unlinkable.json", unlinkable()), "--json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.complete).toBe(true);
    expect(report.outcomes.length).toBeGreaterThan(0);
    for (const o of report.outcomes) expect(o.url).toBeUndefined();
    expect(r.err).toMatch(
      /^sva-lab: note: outcomes are printed without their link: the scenario is too large/,
    );
  });

  it("a file with the removed fault no-cleared-flag opens, with a note on stderr", () => {
    const r = cli("run", file("old.json", { ...lifecycle, faults: ["no-cleared-flag"] }), "--json");
    expect(r.code).toBe(0);
    expect(r.err).toMatch(
      /^sva-lab: .*old\.json: note: faults\[0\]: the fault "no-cleared-flag" was removed/,
    );
    expect(JSON.parse(r.out).stateHash).toBe(
      JSON.parse(cli("run", file("ok.json", lifecycle), "--json").out).stateHash,
    );
  });
});
