// Entry point of the `deployer` CLI (bin/deployer.js loads the built form of this file).
import { guardOutputStreams } from "./output.js";
import { buildProgram, longFlags } from "./program.js";
import { refuseSingleDashLongOptions } from "./flags.js";
import { errorInfos, ExitCode } from "../errors.js";
import { formatErrors } from "../report/error-text.js";

// A closed or failing stdout/stderr (`deployer rollout | head -1`) must never stop the work: output
// is dropped from then on and the command ends with its own exit code (output.ts).
guardOutputStreams();

// deployer supports Node >= 20; the SDK's notice about its own future Node 22 requirement is not
// actionable in the middle of a deploy log (README says which Node to use).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const program = buildProgram();
try {
  // `-out=x.plan` would parse as `-o ut=x.plan`: refused before commander sees it.
  refuseSingleDashLongOptions(process.argv.slice(2), longFlags(program));
} catch (e) {
  process.stderr.write(formatErrors(errorInfos(e, "This is a bug in deployer; please report it."), { color: false }) + "\n");
  process.exit(ExitCode.Failure);
}
await program.parseAsync(process.argv);
