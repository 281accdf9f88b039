import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { FAULT_NAMES } from "../scenario/faults.ts";
import cmdSync from "../scenario/library/cmd-sync.json";
import lifecycle from "../scenario/library/lifecycle.json";
import svaLock from "../scenario/library/sva-lock.json";
import { main } from "./main.ts";

/** Runs the CLI in-process, collecting what it prints. */
function cli(...args: string[]): { code: number; out: string; err: string } {
  return cliWith({}, ...args);
}

function cliWith(
  more: { stdin?: string; env?: Record<string, string> },
  ...args: string[]
): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(args, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env: more.env ?? {},
    ...(more.stdin !== undefined ? { stdin: () => more.stdin! } : {}),
  });
  if (typeof code !== "number") throw new Error("a command that serves, in a test of one that does not");
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
    ["an unknown command", ["frobnicate"], /^sva-lab: unknown command "frobnicate" \(commands: run, .*\)$/],
    [
      "a bad --until",
      ["run", file("ok3.json", lifecycle), "--until", "-3"],
      /--until: expected a non-negative integer/,
    ],
    [
      "--until 1e3",
      ["run", file("ok4.json", lifecycle), "--until", "1e3"],
      /--until: expected a non-negative integer, got "1e3"/,
    ],
    [
      "--until 0x10",
      ["run", file("ok5.json", lifecycle), "--until=0x10"],
      /--until: expected a non-negative integer/,
    ],
    ["--max-states 1.5", ["explore", file("ok6.json", lifecycle), "--max-states", "1.5"], /--max-states: /],
    [
      "an unknown option",
      ["run", file("ok7.json", lifecycle), "--frob"],
      /^sva-lab: run: unknown option "--frob" \(see sva-lab run --help\)$/,
    ],
    ["an extra argument", ["run", file("ok8.json", lifecycle), "extra"], /run: unexpected argument "extra"/],
    ["an extra argument to faults", ["faults", "x"], /faults: unexpected argument "x"/],
    ["a missing argument", ["explore"], /explore: missing its argument \(see sva-lab explore --help\)/],
    ["a missing value", ["run", file("ok9.json", lifecycle), "--kernel"], /--kernel: expected a value/],
    [
      "an unknown fault",
      ["run", file("f.json", lifecycle), "--fault", "skip-nothing"],
      /^sva-lab: --fault: /,
    ],
    ["a bad --schedule", ["run", file("s2.json", lifecycle), "--schedule", "T9"], /^sva-lab: --schedule: /],
    [
      "an unknown format",
      ["run", file("f2.json", lifecycle), "--format", "svg"],
      /--format: unknown format "svg"/,
    ],
    [
      "a bad base URL",
      ["url", file("b.json", lifecycle), "--base-url", "ftp://x/"],
      /--base-url: expected an http/,
    ],
    ["a directory", ["run", dir], /is a directory/],
  ])("exits 2 with one line on stderr for %s", (_what, args, message) => {
    const r = cli(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    // One line on stderr, nothing on stdout.
    expect(r.err).toMatch(/^sva-lab: [^\n]+$/);
    expect(r.out).toBe("");
  });
});

describe("sva-lab url / decode", () => {
  it("round-trips a scenario through its URL, and run accepts the URL", () => {
    const url = cli("url", file("rt.json", lifecycle)).out;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:4173\/#v1\./);
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

  it("explore --preemptions K covers the interleavings within the bound, exact counts as strings", () => {
    const path = file("race-k.json", { ...lifecycle, faults: ["skip-atc-inv"] });
    const report = JSON.parse(cli("explore", path, "--json", "--preemptions", "1").out);
    expect(report).toMatchObject({ complete: true, stopped: null, mode: { kind: "preemptions", bound: 1 } });
    expect(report.exactInterleavings).toMatch(/^[1-9][0-9]*$/);
    expect(cli("explore", path, "--preemptions", "1").out).toMatch(
      /^complete: \d+ states, \d+ interleavings \(every interleaving with at most 1 preemption/,
    );
  });

  it("explore --random N --seed S samples, the same for the same seed, and never says complete", () => {
    const path = file("race-r.json", { ...lifecycle, faults: ["skip-atc-inv"] });
    const a = cli("explore", path, "--json", "--random", "20", "--seed", "5");
    const b = cli("explore", path, "--json", "--random", "20", "--seed", "5");
    expect(a.out).toBe(b.out);
    expect(JSON.parse(a.out)).toMatchObject({ complete: false, mode: { kind: "random", runs: 20, seed: 5 } });
  });

  it("explore stopped at the state limit says so and why", () => {
    const path = file("race-s.json", lifecycle);
    const r = cli("explore", path, "--max-states", "3");
    expect(r.out).toMatch(/^incomplete \(stopped at the state limit\): 3 states/);
    expect(r.code).toBe(3);
    expect(JSON.parse(cli("explore", path, "--json", "--max-states", "3").out).stopped).toBe("max-states");
  });

  it.each([
    [["--preemptions", "1", "--random", "3"], "choose one mode"],
    [["--seed", "3"], "only with --random"],
    [["--random", "x"], "--random: expected a non-negative integer"],
  ])("explore %j is bad input (exit 2)", (flags, message) => {
    const r = cli("explore", file("race-b.json", lifecycle), ...flags);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
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
      /^sva-lab: --kernel: unknown release "v4\.19" \(expected "v5\.11" … "v6\.\d+" or "rfc-2017", "rfc-2018", "nested-v1-2023"\)$/,
    );
    const bad = cli("run", file("k3.json", { ...lifecycle, kernel: "6.1" }));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/: kernel: unknown release "6\.1"/);
  });
});

describe("usage", () => {
  it("prints usage on stderr and exits 2 with no argument; --help prints it on stdout, exit 0", () => {
    const none = cli();
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/^usage:\n {2}sva-lab run /);
    expect(none.out).toBe("");
    const help = cli("--help");
    expect(help.code).toBe(0);
    expect(help.out).toContain("sva-lab serve [--port N]");
    expect(help.out).toContain("3 explore gave up");
  });

  it.each(["run", "explore", "url", "decode", "faults", "kernels", "serve", "open"])(
    "has --help for %s",
    (command) => {
      const r = cli(command, "--help");
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^usage: sva-lab ${command}`));
      expect(cli("help", command).out).toBe(r.out);
    },
  );
});

describe("links the runner prints", () => {
  it("start with --base-url, else $SVA_LAB_BASE_URL, else the address of sva-lab serve", () => {
    const path = file("base.json", lifecycle);
    expect(cli("url", path).out).toMatch(/^http:\/\/127\.0\.0\.1:4173\/#v1\./);
    expect(cliWith({ env: { SVA_LAB_BASE_URL: "https://env.example/lab" } }, "url", path).out).toMatch(
      /^https:\/\/env\.example\/lab\/#v1\./,
    );
    expect(
      cliWith(
        { env: { SVA_LAB_BASE_URL: "https://env.example/" } },
        "url",
        path,
        "--base-url",
        "https://flag.example/a/",
      ).out,
    ).toMatch(/^https:\/\/flag\.example\/a\/#v1\./);
    // open with a base URL prints the link on that host and does not serve.
    expect(cli("open", path, "--base-url", "https://flag.example/").out).toMatch(
      /^https:\/\/flag\.example\/#v1\./,
    );
  });

  it("read a link as mail left it, the same as the page does", () => {
    const url = cli("url", file("mail.json", lifecycle)).out;
    const mailed = `> <${url.slice(0, 60)}\n> ${url.slice(60, 130)}\n> ${url.slice(130)}>.`;
    const a = JSON.parse(cli("run", url, "--json").out).stateHash;
    expect(JSON.parse(cli("run", mailed, "--json").out).stateHash).toBe(a);
    expect(JSON.parse(cliWith({ stdin: mailed }, "run", "-", "--json").out).stateHash).toBe(a);
    const cut = cli("run", url.slice(0, -30));
    expect(cut.code).toBe(2);
    expect(cut.err).toMatch(/^sva-lab: URL: the link is (cut short|damaged)/);
  });

  it("take a scenario's JSON on standard input with -", () => {
    const r = cliWith({ stdin: JSON.stringify(lifecycle) }, "run", "-", "--json");
    expect(r.code).toBe(0);
    expect(cliWith({ stdin: "{ nope" }, "run", "-").err).toMatch(/^sva-lab: stdin: not valid JSON/);
  });

  it("open a link whose step is malformed, with a note on stderr", () => {
    const url = cli("url", file("step.json", lifecycle)).out;
    const r = cli("run", `${url}&step=-3`, "--json");
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^sva-lab: URL: The link's step was ignored/);
  });
});

describe("--fault, --kernel and --schedule on run and explore", () => {
  it("--fault switches a safeguard off, as the file's faults do", () => {
    const path = file("fault.json", lifecycle);
    expect(cli("run", path).code).toBe(0);
    const r = cli("run", path, "--fault", "skip-atc-inv", "--fault", "skip-tlbi");
    expect(r.code).toBe(1);
    expect(r.out.split("\n")[0]).toContain("faults: skip-atc-inv, skip-tlbi");
    expect(cli("explore", path, "--fault", "skip-atc-inv").code).toBe(1);
  });

  it("--schedule replaces the schedule, in the short form explore prints", () => {
    const path = file("sched.json", { ...lifecycle, faults: ["skip-atc-inv"] });
    const report = JSON.parse(cli("explore", path, "--json").out);
    const bad = report.outcomes.find((o: { violations: string[] }) => o.violations.length > 0);
    expect(bad.shortSchedule.length).toBeLessThan(bad.schedule.join(" ").length);
    const replayed = JSON.parse(cli("run", path, "--json", "--schedule", bad.shortSchedule).out);
    expect(replayed.steps.map((s: { actor: string }) => s.actor)).toEqual(bad.schedule);
    expect(bad.firstViolation).toMatchObject({
      kind: "stale-translation",
      step: replayed.violations[0].step,
    });
  });

  it("--kernel runs the same file on another release", () => {
    const path = file("kern.json", lifecycle);
    expect(JSON.parse(cli("explore", path, "--json", "--kernel", "v5.15").out).complete).toBe(true);
  });
});

describe("explore's exit status", () => {
  it("is 3 when it stops before completing without a violation, 1 with one, 0 complete and safe", () => {
    const path = file("big.json", lifecycle);
    const stopped = cli("explore", path, "--max-states", "3");
    expect(stopped.code).toBe(3);
    expect(stopped.out).toMatch(/^incomplete/);
    expect(stopped.out).toMatch(/exit 3/);
    expect(cli("explore", path).code).toBe(0);
    const broken = cli("explore", path, "--fault", "skip-atc-inv");
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/first: stale-translation at step \d+, T\d op \d \(dma\) in dma/);
  });
});

describe("run --format", () => {
  it("text-diagram prints the race in columns within 72 characters, the link last", () => {
    const path = file("td.json", { ...cmdSync, faults: ["skip-sync"] });
    const r = cli(
      "run",
      path,
      "--schedule",
      "T0:op T0×14 T1",
      "--format",
      "text-diagram",
      "--links",
      "--base-url",
      "https://lab.example/",
    );
    expect(r.code).toBe(1);
    const lines = r.out.split("\n");
    expect(lines.at(-1)).toMatch(/^https:\/\/lab\.example\/#v1\.[\w-]+(&[a-z]+=\d+)+$/);
    expect(lines.at(-1)).toMatch(/&step=\d+/);
    for (const l of lines.filter((x) => !x.startsWith("http"))) expect([...l].length).toBeLessThanOrEqual(72);
    expect(r.out).toMatch(/^!! stale-translation at step \d+/m);
    expect(r.out).toContain("https://elixir.bootlin.com/linux/v6.1/A/ident/");
    // The link opens the run it shows.
    expect(cli("run", lines.at(-1)!).code).toBe(1);
  });

  it("perfetto prints Chrome trace-event JSON", () => {
    const r = cli("run", file("pf.json", lifecycle), "--format", "perfetto");
    expect(r.code).toBe(0);
    const trace = JSON.parse(r.out);
    expect(trace.displayTimeUnit).toBe("ns");
    expect(trace.traceEvents.some((e: { ph: string }) => e.ph === "X")).toBe(true);
  });
});

describe("sva-lab serve / open", () => {
  it("serves a build on 127.0.0.1 and a free port, prints the link, and stops on SIGINT / SIGTERM", async () => {
    const dist = mkdtempSync(join(tmpdir(), "sva-lab-dist-"));
    writeFileSync(join(dist, "index.html"), "<!doctype html><title>SVA Lab</title>");
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const out: string[] = [];
      const status = main(["open", file("serve.json", lifecycle), "--port", "0", "--dist", dist], {
        out: (t) => out.push(t),
        err: () => {},
        env: {},
      });
      expect(typeof status).not.toBe("number");
      await vi.waitFor(() => expect(out).toHaveLength(1));
      const link = out[0]!;
      expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#v1\./);
      const page = await fetch(link.slice(0, link.indexOf("#")));
      expect(await page.text()).toContain("<title>SVA Lab</title>");
      expect((await fetch(new URL("/../../etc/passwd", link))).status).toBe(404);
      // The handlers installed by serve: no real signal reaches the test runner.
      process.emit(signal);
      expect(await status).toBe(0);
      await expect(fetch(link.slice(0, link.indexOf("#")))).rejects.toThrow();
    }
  });

  it("says so in one line when the port is taken", async () => {
    const dist = mkdtempSync(join(tmpdir(), "sva-lab-dist-"));
    writeFileSync(join(dist, "index.html"), "<!doctype html>");
    const out: string[] = [];
    const first = main(["serve", "--port", "0", "--dist", dist], {
      out: (t) => out.push(t),
      err: () => {},
      env: {},
    });
    await vi.waitFor(() => expect(out).toHaveLength(1));
    const port = new URL(out[0]!).port;
    const err: string[] = [];
    const second = await main(["serve", "--port", port, "--dist", dist], {
      out: () => {},
      err: (t) => err.push(t),
      env: {},
    });
    expect(second).toBe(2);
    expect(err).toEqual([
      `sva-lab: --port: port ${port} is in use (try another, or --port 0 for a free one)`,
    ]);
    process.emit("SIGTERM");
    expect(await first).toBe(0);
  });
});

describe("explore's progress", () => {
  it("goes to the progress line (stderr, when a terminal) and is cleared at the end", () => {
    const lines: string[] = [];
    const out: string[] = [];
    const code = main(["explore", file("progress.json", svaLock), "--fault", "no-sva-lock"], {
      out: (t) => out.push(t),
      err: () => {},
      env: {},
      progress: (t) => lines.push(t),
    });
    expect(code).toBe(1);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[0]).toMatch(/^explore: \d+ states… \d+ states\/s, depth \d+, \d+ MiB$/);
    expect(lines.at(-1)).toBe("");
    // Nothing of it in the report.
    expect(out.join("\n")).not.toContain("states…");
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
    for (const o of report.outcomes) expect(o.url).toBeNull();
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
