import { expect } from "vitest";
import { buttonBody, post, sign, slashCommandBody } from "../../helpers/slack-requests.ts";
import type { slackRig } from "../../helpers/slack-rig.ts";

type Rig = Awaited<ReturnType<typeof slackRig>>;

/**
 * Types a command in Slack, clicks Run on the confirm prompt when one comes, runs the worker, and returns
 * the one answer it sent through response_url.
 */
export function commandRunner(rig: Rig) {
  return async function run(text: string, { user = "U0ALICE", channel = "C0OPS" } = {}) {
    const responseUrl = rig.slack.responseUrl();
    const typed = await post(rig.url, sign(slashCommandBody({ text, user, channel, responseUrl })));
    expect(typed.status).toBe(200);
    const actions = (typed.json?.blocks as { type: string; elements?: { value?: string }[] }[] | undefined)?.find(
      (b) => b.type === "actions",
    );
    let confirmUrl: string | undefined;
    if (actions) {
      confirmUrl = rig.slack.responseUrl();
      const value = actions.elements?.[0]?.value;
      const clicked = await post(
        rig.url,
        sign(buttonBody({ actionId: "harbormaster_confirm", value, user, channel, responseUrl: confirmUrl })),
      );
      expect(String(clicked.json?.text)).toContain("Working…");
    } else {
      expect(String(typed.json?.text)).toContain("Working…");
    }
    await rig.drainWorker();
    const path = new URL(confirmUrl ?? responseUrl).pathname;
    const answers = rig.slack.responses.filter((r) => r.path === path);
    expect(answers).toHaveLength(1);
    return { confirmed: actions !== undefined, answer: answers[0]?.body ?? {}, text: String(answers[0]?.body.text) };
  };
}

export function audits(rig: Rig, channel = "C0OPS") {
  return rig.slack.inChannel(channel).filter((m) => m.text.startsWith("Audit:"));
}
