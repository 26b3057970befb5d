import { Kind } from "../events/kinds.ts";
import type { InterruptionMessage } from "../events/message.ts";
import * as z from "../zod.ts";

export const Action = {
  CordonAndDrain: "cordon_and_drain",
  Cordon: "cordon",
  NotifyOnly: "notify_only",
  /** The instance is gone: remove its Node so nothing waits on it. */
  Cleanup: "cleanup",
  /** A launching instance: wait until its node is Ready, then answer CONTINUE. */
  WaitReady: "wait_ready",
  /** Answer the lifecycle hook at once (e.g. an instance entering a warm pool never joins the cluster). */
  Continue: "continue",
} as const;
export type Action = (typeof Action)[keyof typeof Action];

export type ActionTable = Record<Kind, Action>;

export const defaultActions: ActionTable = {
  [Kind.SpotInterrupted]: Action.CordonAndDrain,
  [Kind.RebalanceRecommendation]: Action.Cordon,
  [Kind.InstanceStopping]: Action.CordonAndDrain,
  [Kind.InstanceTerminated]: Action.Cleanup,
  [Kind.TerminateLifecycle]: Action.CordonAndDrain,
  [Kind.LaunchLifecycle]: Action.WaitReady,
  [Kind.ScheduledChange]: Action.CordonAndDrain,
};

// What an operator may choose per kind; anything else is a configuration error, reported at start-up.
const allowed: Record<Kind, readonly Action[]> = {
  [Kind.SpotInterrupted]: [Action.CordonAndDrain, Action.Cordon, Action.NotifyOnly],
  [Kind.RebalanceRecommendation]: [Action.Cordon, Action.CordonAndDrain, Action.NotifyOnly],
  [Kind.InstanceStopping]: [Action.CordonAndDrain, Action.Cordon, Action.NotifyOnly],
  [Kind.InstanceTerminated]: [Action.Cleanup, Action.NotifyOnly],
  [Kind.TerminateLifecycle]: [Action.CordonAndDrain, Action.Continue],
  [Kind.LaunchLifecycle]: [Action.WaitReady, Action.Continue],
  [Kind.ScheduledChange]: [Action.CordonAndDrain, Action.Cordon, Action.NotifyOnly],
};

const overrides = z.strictObject(
  Object.fromEntries(
    Object.values(Kind).map((kind) => [kind, z.optional(z.enum(allowed[kind] as [Action, ...Action[]]))]),
  ) as Record<Kind, z.ZodMiniOptional<z.ZodMiniEnum<Record<Action, Action>>>>,
);

/** Validates operator overrides (unknown kinds or actions a kind does not allow are rejected). */
export function actionTable(input: unknown = {}): ActionTable {
  const parsed = overrides.parse(input);
  const table = { ...defaultActions };
  for (const kind of Object.values(Kind)) {
    const action = parsed[kind];
    if (action) table[kind] = action;
  }
  return table;
}

/** The action for one message. Warm pools change it: such an instance never becomes a Ready node. */
export function actionFor(table: ActionTable, message: InterruptionMessage): Action {
  if (message.kind === Kind.LaunchLifecycle && message.lifecycle?.destination === "WarmPool") return Action.Continue;
  return table[message.kind];
}

export function drains(action: Action): boolean {
  return action === Action.CordonAndDrain;
}
