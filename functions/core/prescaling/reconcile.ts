import { emptyState, endsAt, type Hold, type HoldState, type Level, type Levels, serializeState } from "./holds.ts";

export interface LevelChange {
  level: Level;
  from: number;
  to: number;
}

export interface Override {
  level: Level;
  ours: number;
  theirs: number;
}

export interface Reconciled {
  /** Levels to write; empty when the live values are already right. */
  write: Levels;
  changes: LevelChange[];
  /** The new annotation, or null to remove it (and the label): the last hold has ended. */
  annotation: string | null;
  state: HoldState | undefined;
  released: Hold[];
  overridden: Override[];
}

/**
 * Brings an object in line with its holds at `now`: detects values a person changed since our last write
 * (those are theirs from then on), drops holds that have ended, and computes what to write. Each level is
 * the highest any hold asks for, never below its original; with no hold left, the originals come back.
 */
export function reconcile(current: Levels, state: HoldState, now: number): Reconciled {
  const overridden: Override[] = [];
  const humanOwned = new Set(state.humanOwned);
  for (const [level, ours] of entries(state.applied)) {
    const theirs = current[level];
    if (humanOwned.has(level) || theirs === undefined || theirs === ours) continue;
    humanOwned.add(level);
    overridden.push({ level, ours, theirs });
  }

  const released: Hold[] = [];
  const holds: Record<string, Hold> = {};
  for (const [key, hold] of Object.entries(state.holds)) {
    if (endsAt(hold) <= now) released.push(hold);
    else holds[key] = hold;
  }

  const last = Object.keys(holds).length === 0;
  const wanted: Levels = {};
  for (const [level, original] of entries(state.original)) {
    if (humanOwned.has(level)) continue;
    wanted[level] = last ? original : Math.max(original, ...Object.values(holds).map((h) => h.levels[level] ?? 0));
  }
  // Only a hold that may raise the ceiling carries one; any other floor stays under the ceiling in force.
  if (wanted.min !== undefined && wanted.max !== undefined && wanted.min > wanted.max) wanted.min = wanted.max;

  const write: Levels = {};
  const changes: LevelChange[] = [];
  for (const [level, to] of entries(wanted)) {
    const from = current[level];
    if (from === undefined || from === to) continue;
    write[level] = to;
    changes.push({ level, from, to });
  }

  const next: HoldState | undefined = last
    ? undefined
    : { ...state, holds, humanOwned: [...humanOwned], applied: { ...state.applied, ...wanted } };
  return { write, changes, annotation: next ? serializeState(next) : null, state: next, released, overridden };
}

/** The state an object starts an episode with, or the one it has. */
export function stateOrNew(state: HoldState | undefined, current: Levels, replicas: number): HoldState {
  return state ?? emptyState(current, replicas);
}

function entries(levels: Levels): [Level, number][] {
  return Object.entries(levels).filter((e): e is [Level, number] => typeof e[1] === "number");
}
