import { DeleteScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseState, stateAnnotation } from "../../../functions/core/prescaling/holds.ts";
import { upgradeRunId } from "../../../functions/core/upgrade/start.ts";
import { type Cluster, createCluster } from "../../helpers/testbed.ts";
import { type UpgradeWorld, upgradeWorld } from "./rig.ts";

describe("an upgrade survives crashes and duplicate deliveries", () => {
  let green: Cluster;
  const worlds: UpgradeWorld[] = [];
  beforeAll(async () => {
    green = await createCluster({ name: "green" });
  }, 120_000);
  afterAll(async () => {
    for (const w of worlds) await w.cleanup();
    await green?.close();
  });
  const world = async () => {
    const w = await upgradeWorld(green, {
      blue: [{ name: "web", replicas: 4, min: 2, max: 10 }],
      green: [{ name: "web", replicas: 1, min: 1, max: 10 }],
    });
    worlds.push(w);
    await w.untilReported("blue", "web", 4);
    await w.untilReady("green", "web", 1);
    return w;
  };
  const statusEvent = (upgrade = "web") => ({
    id: crypto.randomUUID(),
    source: "harbormaster.upgrade",
    "detail-type": "Cluster Upgrade",
    time: new Date().toISOString(),
    detail: { upgrade, action: "status", actor: "ana" },
  });
  const holdsOn = async (w: UpgradeWorld, which: "blue" | "green") =>
    Object.keys(parseState((await w.readHpa(which, "web")).metadata?.annotations?.[stateAnnotation])?.holds ?? {});

  it("resumes from Route53 and the holds after the process dies between steps: no step twice, no floor left", async () => {
    const w = await world();
    await w.command("start");
    await w.untilReady("green", "web", 3);
    await w.fire();
    expect(await w.weights()).toEqual({ blue: 50, green: 50 });

    // The process dies with the ticket it was about to handle: no schedule and no function are left.
    const scheduler = new SchedulerClient({});
    for (const s of await w.schedules())
      await scheduler.send(new DeleteScheduleCommand({ GroupName: w.group, Name: s.Name }));
    expect(await w.currentTickets()).toEqual([]);
    const cold = w.freshHandler();
    await cold(statusEvent()); // a person asks for the status: the current revision's check is scheduled again
    expect((await w.currentTickets()).length).toBeGreaterThan(0);
    const status = w.notifications.find((n) => n.type === "upgrade_status");
    expect(status?.type === "upgrade_status" && status.text).toContain("phase baking");

    await w.fire(cold); // the bake ended meanwhile: floors for 100 %
    expect(await w.metadata()).toMatchObject({ phase: "capacity-wait", step: 0 });
    expect(await w.minOf("green", "web")).toBe(5);

    // Green's apiserver goes away while the check runs: the invocation fails, nothing is written.
    const revision = (await w.metadata())?.revision;
    await green.stop("kube-apiserver");
    try {
      await expect(w.fire(w.freshHandler())).rejects.toThrow();
    } finally {
      await green.start("kube-apiserver");
    }
    expect((await w.metadata())?.revision).toBe(revision);
    await w.untilReady("green", "web", 5);
    const [retry] = await w.currentTickets();
    await w.fire(w.freshHandler()); // Scheduler's retry of the same ticket
    expect(await w.weights()).toEqual({ blue: 0, green: 100 });
    await w.invoke(retry?.input); // and a duplicate of it: stale, nothing
    expect((await w.metadata())?.revision).toBe((revision ?? 0) + 1);

    await w.fire();
    expect(await w.metadata()).toMatchObject({ phase: "released" });
    const steps = w.notifications
      .filter((n) => n.type === "upgrade_step")
      .map((n) => n.type === "upgrade_step" && n.step);
    expect(steps).toEqual([1, 2]);
    expect(await holdsOn(w, "green")).toEqual([]);
    expect(await holdsOn(w, "blue")).toEqual([]);
    expect(await w.minOf("green", "web")).toBe(1);
    expect(await w.minOf("blue", "web")).toBe(2);
  }, 150_000);

  it("makes one run of concurrent starts and one step of a ticket delivered twice at once", async () => {
    const w = await world();
    const [a, b] = [w.freshHandler(), w.freshHandler()];
    const start = (id: string) => ({ ...statusEvent(), id, detail: { upgrade: "web", action: "start" } });
    await Promise.all([a(start("one")), b(start("two"))]); // two people at once: one run
    const m = await w.metadata();
    expect(m).toMatchObject({ revision: 1, phase: "capacity-wait" });
    const winner = m?.rolloutId === upgradeRunId("web", "one") ? "one" : "two";
    expect(m?.rolloutId).toBe(upgradeRunId("web", winner));
    // The refused start took its holds back: one run's hold on each side.
    expect(await holdsOn(w, "green")).toEqual([`upgrade:web/${m?.rolloutId}`]);
    expect(await holdsOn(w, "blue")).toEqual([`upgrade:web/${m?.rolloutId}`]);
    await Promise.all([a(start(winner)), b(start(winner))]); // EventBridge redelivers the winning event twice
    expect((await w.metadata())?.revision).toBe(1);
    expect(w.notifications.filter((n) => n.type === "upgrade_started")).toHaveLength(1);
    expect(w.notifications.filter((n) => n.type === "upgrade_refused")).toHaveLength(1);

    await w.untilReady("green", "web", 3);
    const [ticket] = await w.currentTickets();
    if (ticket && ticket.at > w.clock.now()) w.clock.advance(ticket.at - w.clock.now());
    await Promise.all([a(ticket?.input), b(ticket?.input)]);
    expect(await w.weights()).toEqual({ blue: 50, green: 50 });
    expect((await w.metadata())?.revision).toBe(2);
    expect(w.notifications.filter((n) => n.type === "upgrade_step")).toHaveLength(1);
  }, 150_000);
});
