// Loaded only when a node must be found by DNS name (ec2.ts): its static imports keep the bundled build
// tree-shaken to the one command, which a dynamic import of the client package would not.
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";

const client = new EC2Client({});

/** The instance's private and public DNS names; [] for an instance EC2 does not know here. */
export async function describeDnsNames(instanceId: string): Promise<string[]> {
  try {
    const result = await client.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }), {
      abortSignal: AbortSignal.timeout(5_000),
    });
    const instance = result.Reservations?.[0]?.Instances?.[0];
    return [instance?.PrivateDnsName, instance?.PublicDnsName].filter((n): n is string => Boolean(n));
  } catch (error) {
    // An instance of another account or one long gone: not ours, not an error.
    if (error instanceof Error && error.name.startsWith("InvalidInstanceID")) return [];
    throw error;
  }
}
