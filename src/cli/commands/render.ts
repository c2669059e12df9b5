// `deployer render`: print (or write) one target's rendered task definition for an image. No AWS call.
import { Option, type Command } from "commander";
import { action, globalOptions } from "../shell.js";

export function register(program: Command): void {
  program
    .command("render")
    .description("print a target's rendered task definition as JSON (no AWS calls)")
    .addOption(new Option("-e, --env <name>", "the target to render").makeOptionMandatory())
    .addOption(new Option("-i, --image <ref>", "image tag (3f2a9c1), digest (sha256:…) or full reference").makeOptionMandatory())
    .option("--output-file <file>", "write the JSON to this file instead of stdout (-o/--output is the output format)")
    .option("--show-sensitive", "show the values of the target's `sensitive` paths (shown as (sensitive) by default)")
    .addHelpText(
      "after",
      `
A tag or digest is appended to the target's repository (its replica, or the central one from deployer.yaml).

Examples:
  $ deployer render --env prod-eu --image sha-abc
  $ deployer render --env dev --image sha256:3f2a… --output-file taskdef.json`,
    )
    .action(
      action(async (opts: { env: string; image: string; outputFile?: string; showSensitive?: boolean }, cmd: Command) => {
        const g = globalOptions(cmd);
        const { checkOutputFiles, outputFiles, writeOutputFile } = await import("../output-files.js");
        const files = outputFiles({ "--output-file": opts.outputFile });
        await checkOutputFiles(files);
        const [
          { loadProject },
          { selectTargets },
          { renderTaskDefinition, targetImageRepository },
          { imageReference },
          { redactSensitive },
          escape,
        ] = await Promise.all([
          import("../../config/load.js"),
          import("../../config/select.js"),
          import("../../render/render.js"),
          import("../../render/image-ref.js"),
          import("../../render/redact.js"),
          import("../../report/escape.js"),
        ]);
        const project = await loadProject({ config: g.config });
        const [target] = selectTargets(project, { envs: [opts.env] });
        const image = imageReference(targetImageRepository(project, target!), opts.image);
        const def = renderTaskDefinition(project, target!, image);
        const shown = opts.showSensitive ? def : redactSensitive(def, target!);
        // jsonText: the same JSON value (what ECS gets), with the lossless escapes that keep it inert in a CI log.
        let json = escape.jsonText(shown, 2) + "\n";
        if (g.output === "markdown") json = escape.markdownOutput(escape.markdownCodeBlock(json.trimEnd().split("\n"), "json")) + "\n";
        if (opts.outputFile) {
          const { writeFile } = await import("node:fs/promises");
          await writeOutputFile(files[0]!, () => writeFile(opts.outputFile!, json));
          process.stderr.write(
            escape.terminalOutput(
              `wrote ${escape.terminalText(opts.outputFile)} (${escape.terminalText(target!.name)}, ${escape.terminalText(image)})`,
            ) + "\n",
          );
        } else {
          process.stdout.write(json);
        }
        return 0;
      }),
    );
}
