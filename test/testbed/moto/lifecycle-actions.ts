/**
 * Registers, at the emulator's edge, the lifecycle action AWS would have started on scale-in (moto never
 * starts one itself); returns its token. See test/testbed/moto/server.py.
 */
export async function registerLifecycleAction(
  awsEndpoint: string,
  action: { group: string; hook: string; instanceId: string },
): Promise<string> {
  const response = await fetch(`${awsEndpoint}/_harbormaster/autoscaling/lifecycle-actions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      autoScalingGroupName: action.group,
      lifecycleHookName: action.hook,
      instanceId: action.instanceId,
      region: process.env.AWS_REGION,
    }),
  });
  if (response.status !== 201) throw new Error(`registering the lifecycle action failed: ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}
