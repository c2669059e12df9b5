// `deployer init`: what was written, what `plan` will show for the new target, the template diff of a
// second import, warnings, and what to run next; or all of it as JSON (schemas/init.schema.json).
import pc from "picocolors";
import path from "node:path";
import type { InitResult } from "../workflow/init.js";
import { taskDefinitionName } from "../config/aws-names.js";
import { displayValue, plural } from "./plan-format.js";
import { jsonText, terminalOutput, terminalSafe } from "./escape.js";
import type { View } from "./view.js";

export function initView(result: InitResult): View {
  return {
    text: ({ color }) => formatInitText(result, color) + "\n",
    json: () => jsonText({ formatVersion: 1, ...result, dir: path.relative(process.cwd(), result.dir) || "." }, 2) + "\n",
  };
}

function formatInitText(input: InitResult, color: boolean): string {
  const c = pc.createColors(color);
  const r = terminalSafe(input);
  const lines: string[] = [];
  for (const f of r.written) lines.push(r.replaced.includes(f) ? `${c.yellow("replaced")} ${f}` : `${c.green("wrote")} ${f}`);
  if (r.source) {
    const s = r.source;
    lines.push("");
    lines.push(`from ${s.cluster}/${s.service} in ${s.account} (${s.region}), which runs ${taskDefinitionName(s.taskDefinitionArn)}`);
    if (r.planChanges && r.planChanges.length > 0) {
      lines.push(c.yellow(`deployer plan will show ${plural(r.planChanges.length, "change")} for this target:`));
      for (const ch of r.planChanges) lines.push(`  ~ ${ch.path}: ${displayValue(ch.before)} → ${displayValue(ch.after)}`);
    } else {
      lines.push(c.green("the template renders exactly what it runs: deployer plan shows no change for it"));
    }
  }
  if (r.templateDiff) {
    lines.push("");
    if (r.templateDiff.length === 0) {
      lines.push(`the template (unchanged) is the one this service gives`);
    } else {
      lines.push(c.yellow("the template was left as it is; this service would give another one (- the template, + this service):"));
      for (const l of r.templateDiff) lines.push(l.startsWith("+") ? c.green(l) : l.startsWith("-") ? c.red(l) : c.dim(l));
      lines.push(
        c.dim("make what differs a variable (vars in the environment files) where the targets should differ, or align the service"),
      );
    }
  }
  for (const w of r.warnings) lines.push(`${c.yellow("warning")} ${w}`);
  lines.push("");
  lines.push("next:");
  for (const n of r.next) lines.push(`  $ ${n}`);
  return terminalOutput(lines.join("\n"), { keepColour: color });
}
