// The parallel search's worker thread from the TypeScript sources (no prebuilt bundle): tsx
// registered in this thread, then the worker itself.
import { register } from "tsx/esm/api";

register();
await import("./node-worker.ts");
