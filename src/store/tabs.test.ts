import { describe, expect, it } from "vitest";
import { decodeTabs, encodeTabs, useTabs } from "./tabs.ts";

describe("the panel views in the link", () => {
  it("writes only the views other than the default, and reads them back", () => {
    useTabs.setState({ tabs: { stream: null, queue: null, kernel: null, detail: null } });
    expect(encodeTabs(useTabs.getState().tabs)).toEqual([]);
    useTabs.getState().set("stream", "path");
    useTabs.getState().set("queue", "evtq");
    useTabs.getState().set("kernel", "state"); // the default: not written
    useTabs.getState().set("detail", "statecharts");
    const parts = encodeTabs(useTabs.getState().tabs);
    expect(parts).toEqual(["tab=stream:path,queue:evtq,detail:statecharts"]);
    expect(decodeTabs(parts[0]!.slice(4))).toEqual({ tabs: useTabs.getState().tabs, unknown: [] });
  });

  it("opens a link naming an unknown panel or view with the default there, and says which", () => {
    expect(decodeTabs("stream:graph,constructor:x,queue:priq,__proto__:path")).toEqual({
      tabs: { stream: null, queue: "priq", kernel: null, detail: null },
      unknown: ["stream:graph", "constructor:x", "__proto__:path"],
    });
    expect(decodeTabs(undefined).unknown).toEqual([]);
  });
});
