// Step plans: CodeDeploy's predefined traffic-shifting configurations, or a custom list of steps.
import * as z from "../zod.ts";

/** One step: move the target to `percent`, then hold `pauseSeconds` (or until resumed, when `manual`). */
export interface Step {
  percent: number;
  pauseSeconds: number;
  manual: boolean;
}

export interface StepPlan {
  name: string;
  steps: Step[];
}

const canary = (percent: number, minutes: number): Step[] => [
  { percent, pauseSeconds: minutes * 60, manual: false },
  { percent: 100, pauseSeconds: 0, manual: false },
];

const linear = (increment: number, minutes: number): Step[] =>
  Array.from({ length: Math.ceil(100 / increment) }, (_, i) => ({
    percent: Math.min(100, (i + 1) * increment),
    pauseSeconds: (i + 1) * increment >= 100 ? 0 : minutes * 60,
    manual: false,
  }));

/** The names CodeDeploy uses for Lambda and ECS traffic shifting, with the same meaning. */
export const presets: Record<string, Step[]> = {
  AllAtOnce: [{ percent: 100, pauseSeconds: 0, manual: false }],
  Canary10Percent5Minutes: canary(10, 5),
  Canary10Percent10Minutes: canary(10, 10),
  Canary10Percent15Minutes: canary(10, 15),
  Canary10Percent30Minutes: canary(10, 30),
  Linear10PercentEvery1Minute: linear(10, 1),
  Linear10PercentEvery2Minutes: linear(10, 2),
  Linear10PercentEvery3Minutes: linear(10, 3),
  Linear10PercentEvery10Minutes: linear(10, 10),
};

const customStep = z.strictObject({
  percent: z.number().check(z.int(), z.minimum(1), z.maximum(100)),
  pauseSeconds: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(86_400)), 0),
  /** Hold at this step until a person resumes or promotes. */
  manual: z._default(z.boolean(), false),
});

export const planSchema = z.union([
  z.pipe(
    z.enum(Object.keys(presets) as [string, ...string[]]),
    z.transform(
      (name): StepPlan => ({
        name,
        steps: presets[name] as Step[],
      }),
    ),
  ),
  z
    .strictObject({
      name: z._default(z.string().check(z.minLength(1), z.maxLength(40)), "custom"),
      steps: z.array(customStep).check(z.minLength(1), z.maxLength(20)),
    })
    .check(
      z.superRefine((plan, ctx) => {
        plan.steps.forEach((step, i) => {
          const previous = plan.steps[i - 1];
          if (previous && step.percent <= previous.percent) {
            ctx.addIssue({
              code: "custom",
              path: ["steps", i, "percent"],
              message: "percent must increase step by step",
            });
          }
        });
        if (plan.steps.at(-1)?.percent !== 100) {
          ctx.addIssue({ code: "custom", path: ["steps"], message: "the last step must reach 100 percent" });
        }
      }),
    ),
]);

/** A plan as the TXT record carries it: "10:300,50:m,100:0" (percent:pause seconds, or m for manual). */
export function encodePlan(steps: readonly Step[]): string {
  return steps.map((s) => `${s.percent}:${s.manual ? "m" : s.pauseSeconds}`).join(",");
}

export function decodePlan(text: string): Step[] {
  return text.split(",").map((part) => {
    const [percent, pause] = part.split(":");
    const step = {
      percent: Number(percent),
      pauseSeconds: pause === "m" ? 0 : Number(pause),
      manual: pause === "m",
    };
    if (!Number.isInteger(step.percent) || !Number.isInteger(step.pauseSeconds)) {
      throw new Error(`bad plan step "${part}"`);
    }
    return step;
  });
}
