// Preload for a diagnosis (memory.ts' ARMS, with --expose-gc): a full GC every PERIODIC_GC_MS (250), at
// whatever moment the timer fires. It tells whether the RSS above idle is dead memory V8 has not collected
// yet, or memory held elsewhere (malloc's free lists, libvips).
const every = Number(process.env.PERIODIC_GC_MS ?? 250);
setInterval(() => globalThis.gc?.(), every).unref();
