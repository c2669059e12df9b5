// Entry point of the `deployer` CLI (bin/deployer.js loads the built form of this file).
import { buildProgram } from "./program.js";

await buildProgram().parseAsync(process.argv);
