// `deployer validate`: check deployer.yaml, every environment file and the template, and render
// each target's task definition with a placeholder image. No AWS call. Exit 0 when all is valid.
import { Option, type Command } from "commander";
import { action, collect, errorInfos, globalOptions } from "../shell.js";

export function register(program: Command): void {
  program
    .command("validate")
    .description("check deployer.yaml, environments/ and the template, and render every target's task definition (no AWS calls)")
    .addOption(new Option("-e, --env <name>", "only these targets (repeatable, or comma-separated)").argParser(collect).conflicts("stage"))
    .addOption(new Option("-s, --stage <name>", "only the targets of this stage"))
    .addHelpText(
      "after",
      `
Prints one verdict line per target; errors name the file, line and field. Exit code 1 if anything is invalid.

Examples:
  $ deployer validate
  $ deployer validate --env prod-eu --env prod-us
  $ deployer --output json validate --stage prod`,
    )
    .action(
      action(async (opts: { env?: string[]; stage?: string }, cmd: Command) => {
        const g = globalOptions(cmd);
        const [
          { loadProject },
          { selectTargets },
          { renderTaskDefinition, targetImageRepository },
          { PLACEHOLDER_DIGEST },
          { formatErrors },
          pc,
          { jsonText, terminalOutput, terminalText },
          { groupByTarget },
          { DeployerError, DeployerErrors, toErrorInfo },
        ] = await Promise.all([
          import("../../config/load.js"),
          import("../../config/select.js"),
          import("../../render/render.js"),
          import("../../render/image-ref.js"),
          import("../../report/error-text.js"),
          import("picocolors"),
          import("../../report/escape.js"),
          import("../../render/render-all.js"),
          import("../../errors.js"),
        ]);
        const project = await loadProject({ config: g.config });
        const targets =
          opts.env || opts.stage
            ? selectTargets(project, { envs: opts.env, stages: opts.stage ? [opts.stage] : undefined })
            : project.targets;

        const checked = targets.map((t) => {
          try {
            const def = renderTaskDefinition(project, t, `${targetImageRepository(project, t)}@${PLACEHOLDER_DIGEST}`);
            return {
              target: t,
              family: def.family,
              containers: def.containerDefinitions.length,
              errors: [] as ReturnType<typeof errorInfos>,
              raw: [] as InstanceType<typeof DeployerError>[],
            };
          } catch (e) {
            const raw = e instanceof DeployerErrors ? e.errors : e instanceof DeployerError ? [e] : undefined;
            if (!raw) throw e;
            return { target: t, family: undefined, containers: 0, errors: raw.map(toErrorInfo), raw };
          }
        });
        const ok = checked.every((r) => r.errors.length === 0);
        const { varsWarnings } = await import("../../render/template-vars.js");
        const warnings = varsWarnings(project, targets, new Set(checked.filter((r) => r.errors.length === 0).map((r) => r.target.name)));

        if (g.output === "json") {
          const body = {
            ok,
            config: project.config.file,
            targets: checked.map((r) => ({
              name: r.target.name,
              stage: r.target.stage,
              account: r.target.account,
              region: r.target.region,
              cluster: r.target.cluster,
              service: r.target.service,
              ok: r.errors.length === 0,
              ...(r.family ? { family: r.family } : {}),
              errors: r.errors,
            })),
            warnings,
          };
          process.stdout.write(jsonText(body, 2) + "\n");
          return ok ? 0 : 1;
        }

        const c = pc.default.createColors(g.color);
        // Names come from the configuration: terminal-safe before they are laid out (escape.ts).
        const line = (text: string) => terminalOutput(text, { keepColour: g.color }) + "\n";
        const results = checked.map((r) => ({
          ...r,
          family: r.family && terminalText(r.family),
          target: {
            ...r.target,
            name: terminalText(r.target.name),
            stage: terminalText(r.target.stage),
            region: terminalText(r.target.region),
            cluster: terminalText(r.target.cluster),
            service: terminalText(r.target.service),
            account: terminalText(r.target.account),
          },
        }));
        const width = Math.max(...results.map((r) => r.target.name.length));
        const stageWidth = Math.max(...results.map((r) => r.target.stage.length));
        const regionWidth = Math.max(...results.map((r) => r.target.region.length));
        const placeWidth = Math.max(...results.map((r) => r.target.cluster.length + r.target.service.length + 1));
        for (const r of results) {
          const t = r.target;
          const where = `${t.stage.padEnd(stageWidth)}  ${t.account}  ${t.region.padEnd(regionWidth)}  ${`${t.cluster}/${t.service}`.padEnd(placeWidth)}`;
          if (r.errors.length === 0) {
            process.stdout.write(
              line(
                `${c.green("✓")} ${t.name.padEnd(width)}  ${where}  ${c.dim(`${r.family} (${r.containers} container${r.containers === 1 ? "" : "s"})`)}`,
              ),
            );
          } else {
            process.stdout.write(
              line(
                `${c.red("✗")} ${t.name.padEnd(width)}  ${where}  ${c.red(`${r.errors.length} error${r.errors.length === 1 ? "" : "s"}`)}`,
              ),
            );
          }
        }
        // Every error once: the same problem in several targets is one error listing them.
        const grouped = groupByTarget(checked.flatMap((r) => r.raw)).map(toErrorInfo);
        if (grouped.length > 0) process.stderr.write(formatErrors(grouped, { color: g.color && Boolean(process.stderr.isTTY) }) + "\n");
        if (warnings.length > 0) {
          const { formatWarnings } = await import("../../report/warning-text.js");
          process.stderr.write(formatWarnings(warnings, { color: g.color && Boolean(process.stderr.isTTY) }) + "\n");
        }
        const bad = results.filter((r) => r.errors.length > 0).length;
        process.stdout.write(
          line(
            ok
              ? `${c.green(`${results.length} target${results.length === 1 ? "" : "s"} valid`)} (${terminalText(project.config.file)})`
              : `${c.red(`${bad} of ${results.length} targets invalid`)}`,
          ),
        );
        return ok ? 0 : 1;
      }),
    );
}
