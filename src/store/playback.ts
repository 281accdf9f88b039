/**
 * The player's clock, outside the model: while `playing`, one step forward every 1/speed s,
 * stopping at the last step. Returns a function that stops it (for tests and hot reload).
 */

import { type LabState, useLab } from "./store.ts";

/**
 * Asked after each step the player takes: true stops the player there (breakpoints add one).
 * Returns the function that removes it.
 */
export type PlaybackStop = (s: LabState) => boolean;
const stops = new Set<PlaybackStop>();
export function addPlaybackStop(stop: PlaybackStop): () => void {
  stops.add(stop);
  return () => stops.delete(stop);
}

export function startPlayback(store = useLab): () => void {
  let timer: ReturnType<typeof setInterval> | null = null;
  const stop = (): void => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
  const tick = (): void => {
    const s = store.getState();
    if (s.cursor >= s.result.steps.length) {
      s.pause();
      return;
    }
    s.stepForward();
    const now = store.getState();
    for (const stopHere of stops) {
      if (stopHere(now)) {
        now.pause();
        break;
      }
    }
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
