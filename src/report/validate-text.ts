// `deployer validate`: one verdict line per target (✓ family and containers, or ✗ and the number of
// errors), the errors and warnings on stderr, then the verdict; or the whole result as JSON. Names
// come from the configuration: terminal-safe before they are laid out (escape.ts).
import path from "node:path";
import pc from "picocolors";
import { relativeFiles, relativePath } from "./json-paths.js";
import type { Validation } from "../workflow/validate.js";
import { formatErrors } from "./error-text.js";
import { formatWarnings } from "./warning-text.js";
import { jsonText, terminalOutput, terminalText } from "./escape.js";
import type { Chunk, View } from "./view.js";

export function validateView(v: Validation): View {
  return {
    json: () => {
      // Paths relative to the current directory, as the text shows them (json-paths.ts).
      const cwd = process.cwd();
      const root = path.dirname(v.config);
      return (
        jsonText(
          relativeFiles(
            {
              formatVersion: 1,
              ok: v.ok,
              config: relativePath(v.config, cwd),
              targets: v.targets.map((r) => ({
                name: r.target.name,
                stage: r.target.stage,
                account: r.target.account,
                region: r.target.region,
                cluster: r.target.cluster,
                service: r.target.service,
                file: relativePath(r.target.file, root),
                ok: r.errors.length === 0,
                ...(r.family ? { family: r.family } : {}),
                errors: r.errors,
              })),
              warnings: v.warnings,
            },
            cwd,
          ),
          2,
        ) + "\n"
      );
    },
    text: (o) => validateText(v, o.color, o.stderrColor ?? o.color),
  };
}

function validateText(v: Validation, color: boolean, stderrColor: boolean): Chunk[] {
  const c = pc.createColors(color);
  const line = (text: string) => terminalOutput(text, { keepColour: color }) + "\n";
  const results = v.targets.map((r) => ({
    ...r,
    family: r.family && terminalText(r.family),
    target: {
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
  let verdicts = "";
  for (const r of results) {
    const t = r.target;
    const where = `${t.stage.padEnd(stageWidth)}  ${t.account}  ${t.region.padEnd(regionWidth)}  ${`${t.cluster}/${t.service}`.padEnd(placeWidth)}`;
    verdicts +=
      r.errors.length === 0
        ? line(
            `${c.green("✓")} ${t.name.padEnd(width)}  ${where}  ${c.dim(`${r.family} (${r.containers} container${r.containers === 1 ? "" : "s"})`)}`,
          )
        : line(`${c.red("✗")} ${t.name.padEnd(width)}  ${where}  ${c.red(`${r.errors.length} error${r.errors.length === 1 ? "" : "s"}`)}`);
  }
  const chunks: Chunk[] = [{ to: "stdout", text: verdicts }];
  if (v.errors.length > 0) chunks.push({ to: "stderr", text: formatErrors(v.errors, { color: stderrColor }) + "\n" });
  if (v.warnings.length > 0) chunks.push({ to: "stderr", text: formatWarnings(v.warnings, { color: stderrColor }) + "\n" });
  const bad = results.filter((r) => r.errors.length > 0).length;
  chunks.push({
    to: "stdout",
    text: line(
      v.ok
        ? `${c.green(`${results.length} target${results.length === 1 ? "" : "s"} valid`)} (${terminalText(v.config)})`
        : `${c.red(`${bad} of ${results.length} targets invalid`)}`,
    ),
  });
  return chunks;
}
