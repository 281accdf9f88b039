/**
 * An error boundary around one panel: a panel that throws while it draws shows the error in
 * its own box, with a button that draws it again, and the rest of the page goes on working
 * (the steps, the controls, the other panels). Without it, one broken diagram blanks the page.
 *
 * The browser tests prove it by naming a panel in `globalThis.__svaLabBreakPanel` before the
 * page loads (a script can set it, a link cannot): that panel throws until it is reset.
 */

import { Component, type ErrorInfo, type ReactNode } from "react";

declare global {
  var __svaLabBreakPanel: string | undefined;
}

function BreakProbe({ id }: { readonly id: string }): null {
  if (globalThis.__svaLabBreakPanel === id) throw new Error(`panel ${id} broken on purpose (test)`);
  return null;
}

interface State {
  readonly error: Error | null;
}

export class PanelBoundary extends Component<{ readonly id: string; readonly children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    // React reports the error too (console.error); this line says which panel it took down.
    console.warn(`panel ${this.props.id} failed:`, error, info.componentStack?.split("\n")[1]?.trim());
  }

  reset = (): void => {
    // A reset draws the panel again; the test's switch is cleared so the second try can work.
    if (globalThis.__svaLabBreakPanel === this.props.id) globalThis.__svaLabBreakPanel = undefined;
    this.setState({ error: null });
  };

  override render(): ReactNode {
    const { error } = this.state;
    if (error === null) {
      return (
        <>
          <BreakProbe id={this.props.id} />
          {this.props.children}
        </>
      );
    }
    return (
      <section
        role="alert"
        data-testid={`panel-error-${this.props.id}`}
        className="flex min-h-0 min-w-0 flex-col gap-2 overflow-auto rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
      >
        <h2 className="font-semibold">This panel ({this.props.id}) stopped drawing</h2>
        <p className="font-mono text-xs break-words">{error.message}</p>
        <p className="text-xs">The rest of the page still works: step, switch panels, open a lesson.</p>
        <div>
          <button
            type="button"
            onClick={this.reset}
            className="rounded border border-red-400 bg-white px-2 py-0.5 text-sm hover:bg-red-100 focus-visible:outline-2 focus-visible:outline-blue-500 dark:bg-red-900 dark:hover:bg-red-800"
          >
            Reset this panel
          </button>
        </div>
      </section>
    );
  }
}
