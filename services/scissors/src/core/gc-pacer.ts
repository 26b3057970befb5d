// When to run a full garbage collection ourselves. With the JPEG path's pixels kept out of JavaScript,
// V8 meets its own old-generation limit rarely (one mark-compact in 5 s at c=2), and the dead socket reads,
// body chunks and answers that outlive two scavenges wait that long: 40-50 MiB more peak RSS
// (services/scissors/README.md, "One libvips call per JPEG"). So a full GC is due every `everyImages` images;
// it runs at the first moment no request needs the main thread (every request in flight is inside a
// libvips call), so that its pause overlaps libvips' work. It still costs p99 at c=2 (README): a trade of
// tail latency for peak RSS, which SCISSORS_GC_EVERY_IMAGES=0 turns the other way.

export interface GcPacer {
  /** A request's libvips call starts: the main thread is free of it until `leave`. True: collect now. */
  enter(busy: number): boolean;
  leave(): void;
}

/** `busy` (passed to enter) is the number of requests in flight that may need the main thread at all. */
export function gcPacer(everyImages: number): GcPacer {
  let offThread = 0;
  let since = 0;
  return {
    enter(busy) {
      offThread++;
      since++;
      if (since < everyImages || offThread < busy) return false;
      since = 0;
      return true;
    },
    leave() {
      offThread--;
    },
  };
}
