import { describe, expect, it } from "vitest";
import { defaultScenario, useLab } from "../../store/store.ts";
import { COMMANDS, commandForKey, keyName, perform } from "./commands.ts";
import { useHelp } from "./help/help-state.ts";

describe("the command registry", () => {
  it("has a key for every command and no key twice", () => {
    for (const c of COMMANDS) expect(c.keys.length, c.name).toBeGreaterThan(0);
    const keys = COMMANDS.flatMap((c) => c.keys);
    expect(new Set(keys).size).toBe(keys.length);
    expect(commandForKey("Home")).toBe("reset");
    expect(commandForKey("End")).toBe("last-step");
    expect(commandForKey("?")).toBe("help");
    expect(keyName("ArrowRight")).toBe("→");
    expect(keyName(" ")).toBe("Space");
  });

  it("End goes to the last step, Home back to the first; ? opens the help", () => {
    useLab.getState().load(defaultScenario());
    const total = useLab.getState().result.steps.length;
    expect(perform("last-step")).toBe(true);
    expect(useLab.getState().cursor).toBe(total);
    expect(perform("last-step")).toBe(false);
    expect(perform("reset")).toBe(true);
    expect(useLab.getState().cursor).toBe(0);
    expect(perform("help")).toBe(true);
    expect(useHelp.getState().open).toBe(true);
    useHelp.getState().setOpen(false);
  });

  it("only the step commands are buttons in the controls (their names are CONTRACT §6's)", () => {
    const s = useLab.getState();
    expect(COMMANDS.filter((c) => c.toolbar !== false).map((c) => c.label(s))).toEqual([
      "Reset",
      "Step back",
      "Play",
      "Step forward",
    ]);
  });
});
