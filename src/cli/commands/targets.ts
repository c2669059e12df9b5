// `deployer targets`: list the deploy targets (stage, account, region, cluster, service).
import { Option, type Command } from "commander";
import { action, globalOptions } from "../shell.js";

export function register(program: Command): void {
  program
    .command("targets")
    .description("list the targets with their stage, account, region, cluster and service")
    .addOption(new Option("-s, --stage <name>", "only the targets of this stage"))
    .addHelpText(
      "after",
      `
Examples:
  $ deployer targets
  $ deployer targets --stage prod
  $ deployer --output json targets`,
    )
    .action(
      action(async (opts: { stage?: string }, cmd: Command) => {
        const g = globalOptions(cmd);
        const [{ loadProject }, { selectTargets }, { targetImageRepository }, escape] = await Promise.all([
          import("../../config/load.js"),
          import("../../config/select.js"),
          import("../../render/render.js"),
          import("../../report/escape.js"),
        ]);
        const project = await loadProject({ config: g.config });
        const targets = opts.stage ? selectTargets(project, { stages: [opts.stage] }) : project.targets;
        const rows = targets.map((t) => ({
          name: t.name,
          stage: t.stage,
          account: t.account,
          region: t.region,
          cluster: t.cluster,
          service: t.service,
          imageRepository: targetImageRepository(project, t),
          file: t.file,
        }));
        if (g.output === "json") {
          process.stdout.write(escape.jsonText(rows, 2) + "\n");
          return 0;
        }
        const header = ["TARGET", "STAGE", "ACCOUNT", "REGION", "CLUSTER", "SERVICE", "IMAGE REPOSITORY"];
        const cells = rows.map((r) => [r.name, r.stage, r.account, r.region, r.cluster, r.service, r.imageRepository]);
        // Values from the configuration: escaped for their sink (escape.ts).
        const text =
          g.output === "markdown"
            ? escape.markdownOutput(
                markdownTable(
                  header,
                  cells.map((r) => r.map((c) => escape.markdownText(c, { table: true }))),
                ),
              )
            : escape.terminalOutput(
                textTable(
                  header,
                  cells.map((r) => r.map(escape.terminalText)),
                ),
              );
        process.stdout.write(text + "\n");
        return 0;
      }),
    );
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
