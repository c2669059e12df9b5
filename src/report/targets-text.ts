// `deployer targets`: the targets with their stage, account, region, cluster, service and image
// repository, as a table (text or Markdown) or JSON. Values come from the configuration: each is
// escaped for its sink (escape.ts).
import { jsonText, markdownOutput, markdownText, terminalOutput, terminalText } from "./escape.js";
import type { View } from "./view.js";

export interface TargetRow {
  name: string;
  stage: string;
  account: string;
  region: string;
  cluster: string;
  service: string;
  imageRepository: string;
  file: string;
}

/** `deployer targets -o json` (schemas/targets.schema.json): the rows with the service and deployer.yaml. */
export interface TargetList {
  service: string;
  /** deployer.yaml, relative to the current directory. */
  config: string;
  targets: TargetRow[];
}

const HEADER = ["TARGET", "STAGE", "ACCOUNT", "REGION", "CLUSTER", "SERVICE", "IMAGE REPOSITORY"];

export function targetsView(list: TargetList): View {
  const rows = list.targets;
  const cells = rows.map((r) => [r.name, r.stage, r.account, r.region, r.cluster, r.service, r.imageRepository]);
  return {
    json: () => jsonText({ formatVersion: 1, ...list }, 2) + "\n",
    markdown: () =>
      markdownOutput(
        markdownTable(
          HEADER,
          cells.map((r) => r.map((c) => markdownText(c, { table: true }))),
        ),
      ) + "\n",
    text: () =>
      terminalOutput(
        textTable(
          HEADER,
          cells.map((r) => r.map(terminalText)),
        ),
      ) + "\n",
  };
}

function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
