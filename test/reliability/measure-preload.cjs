// Loaded with `node --require` in front of the deployer CLI by the adversarial-input tests: when the
// process exits, writes its CPU time and peak resident memory (the whole process: Node itself, deployer's
// modules and the work) to the file named by DEPLOYER_TEST_MEASURE. CPU time, not wall time: on a
// loaded machine the wall clock measures the neighbours, the CPU time measures deployer.
const { writeFileSync } = require("node:fs");
const out = process.env.DEPLOYER_TEST_MEASURE;
if (out) {
  process.on("exit", () => {
    const cpu = process.cpuUsage();
    writeFileSync(out, JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
  });
}
