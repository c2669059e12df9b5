// The GitHub Action's entry point (bundled to dist/index.js): read the context and inputs, run the
// command, fail the step with one line when it did not succeed.
import * as core from "@actions/core";
import { readGitHubRunContext } from "./github-context.js";
import { envInputReader, readInputs } from "./inputs.js";
import { createRunnerRuntime } from "./runtime.js";
import { runAction } from "./run-action.js";
import { errorMessage } from "../errors.js";

const controller = new AbortController();
const cancel = () => controller.abort();
process.once("SIGINT", cancel);
process.once("SIGTERM", cancel);

const read = envInputReader();
const failure = await (async () => {
  let github;
  try {
    github = readGitHubRunContext();
  } catch (e) {
    return errorMessage(e);
  }
  const rt = createRunnerRuntime(github, controller.signal);
  return runAction(read("command"), () => readInputs(read, { ...github, runId: process.env.GITHUB_RUN_ID || undefined }), rt);
})();
if (failure !== undefined) core.setFailed(failure);
