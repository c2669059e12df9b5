// Entry point of the `deployer` CLI (bin/deployer.js loads the built form of this file).
import { guardOutputStreams } from "./output.js";
import { buildProgram } from "./program.js";

// A closed or failing stdout/stderr (`deployer rollout | head -1`) must never stop the work: output
// is dropped from then on and the command ends with its own exit code (output.ts).
guardOutputStreams();

// deployer supports Node >= 20; the SDK's notice about its own future Node 22 requirement is not
// actionable in the middle of a deploy log (README says which Node to use).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

await buildProgram().parseAsync(process.argv);
