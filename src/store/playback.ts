/**
 * The player's clock, outside the model: while `playing`, one step forward every 1/speed s,
 * stopping at the last step. Returns a function that stops it (for tests and hot reload).
 */

import { useLab } from "./store.ts";

export function startPlayback(store = useLab): () => void {
  let timer: ReturnType<typeof setInterval> | null = null;
  const stop = (): void => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
  const tick = (): void => {
    const s = store.getState();
    if (s.cursor >= s.result.steps.length) s.pause();
    else s.stepForward();
  };
  const follow = (playing: boolean, speed: number): void => {
    stop();
    if (playing) timer = setInterval(tick, 1000 / speed);
  };
  const unsubscribe = store.subscribe((s, prev) => {
    if (s.playing !== prev.playing || s.speed !== prev.speed) follow(s.playing, s.speed);
  });
  follow(store.getState().playing, store.getState().speed);
  return () => {
    unsubscribe();
    stop();
  };
}
