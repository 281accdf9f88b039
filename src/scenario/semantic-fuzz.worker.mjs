// One shard of the semantic fuzzer (semantic-fuzz.testkit.ts) on a worker thread, so that
// `npm run test:fuzz` uses every core: workerData { from, n } in, { counts, crashes } out.
import { parentPort, workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import("../kernel/all.ts");
const { fuzz } = await import("./semantic-fuzz.testkit.ts");
parentPort.postMessage(fuzz(workerData.from, workerData.n));
