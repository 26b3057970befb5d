import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";

export interface ProbeOptions {
  token?: string;
  /** The control plane serves self-signed certificates until the kubeconfig carries its CA. */
  insecure?: boolean;
  timeoutMs?: number;
}

// True when the URL answers 200 and, if given, the body contains `expect`.
export function httpOk(url: string, options: ProbeOptions = {}, expect?: string): Promise<boolean> {
  const target = new URL(url);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(
      target,
      {
        method: "GET",
        timeout: options.timeoutMs ?? 2000,
        rejectUnauthorized: !options.insecure,
        headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve(res.statusCode === 200 && (expect === undefined || body.includes(expect))));
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
    req.end();
  });
}

export function redisPing(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      resolve(data.toString().startsWith("+PONG"));
      socket.end();
    });
    socket.once("error", () => resolve(false));
    socket.once("close", () => resolve(false));
  });
}
