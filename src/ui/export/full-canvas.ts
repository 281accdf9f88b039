/**
 * The whole drawing a canvas stands for, when it draws only the part in view (the large
 * memory grid): the export draws this instead. Apart from export.ts so that registering
 * costs the initial bundle nothing.
 */
export const fullCanvas = new WeakMap<HTMLCanvasElement, () => HTMLCanvasElement>();
