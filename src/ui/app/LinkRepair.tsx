/**
 * The box under a link that did not open (store/url-sync.ts): the link stays in the address
 * bar, and a repaired one (the whole link, as mail left it: quoted, wrapped, in <…>) can be
 * pasted here. It opens as a new history entry, the bad link before it; a link that still does
 * not open says why, here, and keeps its text.
 */
import { useId, useState } from "react";
import { loadReader } from "../../store/codecs.ts";
import { useLinkRepair } from "../../store/url-sync.ts";

export function LinkRepair() {
  const failed = useLinkRepair((s) => s.failed);
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const id = useId();
  if (failed === null) return null;
  const open = async (): Promise<void> => {
    let r: Awaited<ReturnType<typeof loadReader>>;
    try {
      r = await loadReader();
    } catch {
      setProblem("The page could not fetch its link reader (offline?): reload the page.");
      return;
    }
    const decoded = r.decodeScenarioUrl(text);
    if (!decoded.ok) {
      setProblem(`This link does not open either: ${decoded.error}.`);
      return;
    }
    const clean = r.cleanLinkText(text);
    setProblem(null);
    // Through the address bar, as a pasted link: a new history entry, opened by the URL sync.
    location.hash = clean.slice(clean.indexOf("#") + 1);
  };
  return (
    <form
      className="mt-1 flex flex-wrap items-start gap-2"
      data-testid="link-repair"
      onSubmit={(e) => {
        e.preventDefault();
        void open();
      }}
    >
      <label htmlFor={id} className="w-full text-xs">
        Paste a repaired link (quoted, wrapped or in &lt;…&gt; is fine):
      </label>
      <textarea
        id={id}
        className="min-h-12 min-w-0 flex-1 rounded border border-red-300 bg-white p-1 font-mono text-xs text-slate-900 dark:border-red-800 dark:bg-slate-900 dark:text-slate-100"
        value={text}
        rows={2}
        spellCheck={false}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit" className="shrink-0 rounded border border-red-400 px-2 py-1 text-xs underline">
        Open link
      </button>
      {problem ? (
        <p role="status" className="w-full text-xs" data-testid="link-repair-problem">
          {problem}
        </p>
      ) : null}
    </form>
  );
}
