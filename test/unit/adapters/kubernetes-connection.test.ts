import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { connectionFromKubeconfigFile, tokenConnection } from "../../../functions/adapters/kubernetes/connection.ts";

const dir = mkdtempSync(join(tmpdir(), "harbormaster-kubeconfig-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(name: string, user: string, cluster: string, current = "c"): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `apiVersion: v1\nkind: Config\ncurrent-context: ${current}\ncontexts:\n- name: other\n  context: {cluster: x, user: x}\n- name: c\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: ${cluster}\nusers:\n- name: u\n  user: ${user}\n`,
  );
  return path;
}

describe("reading a kubeconfig without client-node", () => {
  it("takes the current context's server, CA data and bearer token", () => {
    const ca = Buffer.from("-----BEGIN CERTIFICATE-----\n").toString("base64");
    const path = kubeconfig(
      "token",
      "{token: abc}",
      `{server: 'https://127.0.0.1:6443/', certificate-authority-data: ${ca}}`,
    );
    const connection = connectionFromKubeconfigFile(path);
    expect(connection.server).toBe("https://127.0.0.1:6443");
    expect(connection.ca?.toString()).toBe("-----BEGIN CERTIFICATE-----\n");
    expect(connection.headers).toEqual({ authorization: "Bearer abc" });
    expect(connection.rejectUnauthorized).toBe(true);
  });

  it("reads client certificates and token files relative to the kubeconfig, and honours insecure-skip-tls-verify", () => {
    writeFileSync(join(dir, "client.crt"), "CERT");
    writeFileSync(join(dir, "client.key"), "KEY");
    writeFileSync(join(dir, "token.txt"), "from-file\n");
    const path = kubeconfig(
      "certs",
      "{client-certificate: client.crt, client-key: client.key, tokenFile: token.txt}",
      "{server: 'https://h:443', insecure-skip-tls-verify: true}",
    );
    const connection = connectionFromKubeconfigFile(path);
    expect(connection.cert?.toString()).toBe("CERT");
    expect(connection.key?.toString()).toBe("KEY");
    expect(connection.headers.authorization).toBe("Bearer from-file");
    expect(connection.rejectUnauthorized).toBe(false);
  });

  it("names what it cannot use: no current context, no server, an exec plugin", () => {
    expect(() =>
      connectionFromKubeconfigFile(kubeconfig("nocontext", "{}", "{server: 'https://h'}", "missing")),
    ).toThrow(/no current context/);
    expect(() => connectionFromKubeconfigFile(kubeconfig("noserver", "{}", "{}"))).toThrow(/has no server/);
    expect(() =>
      connectionFromKubeconfigFile(kubeconfig("exec", "{exec: {command: aws}}", "{server: 'https://h'}")),
    ).toThrow(/exec and auth-provider users are not supported/);
  });

  it("builds the EKS connection from DescribeCluster's endpoint and CA and a minted token", () => {
    const connection = tokenConnection(
      "https://ABC.gr7.us-east-2.eks.amazonaws.com",
      Buffer.from("CA").toString("base64"),
      "k8s-aws-v1.x",
    );
    expect(connection.ca?.toString()).toBe("CA");
    expect(connection.headers.authorization).toBe("Bearer k8s-aws-v1.x");
  });
});
