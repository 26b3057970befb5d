import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Credentials {
  /** Bearer token of a user in system:masters, accepted by the apiserver's static token file. */
  adminToken: string;
  tokenFile: string;
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
}

// The apiserver signs service-account tokens with this key; the controller-manager mints them.
export function writeCredentials(dir: string): Credentials {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const serviceAccountKey = join(dir, "sa.key");
  const serviceAccountPublicKey = join(dir, "sa.pub");
  writeFileSync(serviceAccountKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  writeFileSync(serviceAccountPublicKey, publicKey.export({ type: "spki", format: "pem" }));
  const adminToken = randomBytes(24).toString("hex");
  const tokenFile = join(dir, "tokens.csv");
  writeFileSync(tokenFile, `${adminToken},testbed-admin,testbed-admin,"system:masters"\n`, { mode: 0o600 });
  return { adminToken, tokenFile, serviceAccountKey, serviceAccountPublicKey };
}

// The kubeconfig trusts the certificate the apiserver generated for itself in --cert-dir.
export function writeKubeconfig(path: string, server: string, caFile: string, token: string): void {
  const ca = readFileSync(caFile).toString("base64");
  const yaml = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: testbed",
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${ca}`,
    "users:",
    "- name: testbed-admin",
    "  user:",
    `    token: ${token}`,
    "contexts:",
    "- name: testbed",
    "  context:",
    "    cluster: testbed",
    "    user: testbed-admin",
    "current-context: testbed",
    "",
  ].join("\n");
  writeFileSync(path, yaml, { mode: 0o600 });
}
