// Where a command names its cluster: `--cluster <name>`, `--cluster=<name>` or a trailing `on <name>`.

const clusterName = /^[A-Za-z0-9][-A-Za-z0-9_]{0,99}$/;
// Slack's clients on macOS and iOS turn a typed "--" into an em or en dash.
const isOption = (word: string) => /^(--|\u2014|\u2013)/.test(word);

export type ClusterSplit = { ok: true; words: string[]; cluster?: string } | { ok: false; message: string };

/**
 * Takes the cluster out of a command's words: `--cluster <name>` or `--cluster=<name>` anywhere, or a
 * trailing `on <name>`. Two that disagree are refused rather than one silently winning.
 */
export function splitCluster(text: string): ClusterSplit {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const named: { name: string; as: string }[] = [];
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? "";
    const flag = /^(?:--|\u2014|\u2013)cluster(?:=(.*))?$/i.exec(word);
    if (!flag) {
      if (isOption(word)) return { ok: false, message: `unknown option "${word}"; the only option is --cluster` };
      rest.push(word);
      continue;
    }
    const name = flag[1] ?? words[++i];
    if (!name || isOption(name)) return { ok: false, message: "--cluster needs a cluster name" };
    named.push({ name, as: `--cluster ${name}` });
  }
  if (rest.length >= 2 && rest[rest.length - 2]?.toLowerCase() === "on") {
    const name = rest.pop() ?? "";
    rest.pop();
    named.push({ name, as: `on ${name}` });
  }
  for (const { name } of named)
    if (!clusterName.test(name)) return { ok: false, message: `"${name}" is not a cluster name` };
  const [first, ...others] = named;
  const conflict = others.find((other) => other.name !== first?.name);
  if (first && conflict)
    return { ok: false, message: `"${first.as}" and "${conflict.as}" name different clusters; name one` };
  return { ok: true, words: rest, cluster: first?.name };
}

/** The text a command runs as once its cluster is chosen: one form, `<command> on <cluster>`, whatever was typed. */
export function canonicalText(text: string, cluster: string): string {
  const split = splitCluster(text);
  return [...(split.ok ? split.words : [text.trim()]), "on", cluster].join(" ");
}
