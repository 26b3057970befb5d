// What happened, in order: the events a scenario emitted and the actions Harbormaster took. The live view
// draws it; scenarios add to it over HTTP.
import { z } from "zod";

export const timelineEntrySchema = z.object({
  at: z.number(),
  /** event: something from AWS; action: something Harbormaster did; note: a scenario's own step. */
  kind: z.enum(["event", "action", "note"]),
  source: z.string().max(64),
  text: z.string().max(500),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

export class Timeline {
  private readonly entries: TimelineEntry[] = [];
  private readonly limit: number;

  constructor(limit = 2000) {
    this.limit = limit;
  }

  add(entry: Omit<TimelineEntry, "at"> & { at?: number }): void {
    this.entries.push({ at: Date.now(), ...entry });
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }

  since(at = 0): TimelineEntry[] {
    return this.entries.filter((e) => e.at > at);
  }
}
