// Loaded with `node --require` in front of the deployer CLI by the benchmark's limit rows: when the
// process exits, writes to the file named by DEPLOYER_BENCH_MEASURE
//   startupMs  - from the process's start to this preload (Node.js itself starting, before any of deployer);
//   afterStartupMs - from this preload to the exit (deployer's modules and its work: what a run costs
//                    beyond starting Node);
//   cpuMs, maxRssMB - CPU time (user + system) and peak resident memory of the whole process;
//   connects, firstConnectMs, lastConnectMs - TCP connection attempts (net.Socket#connect, what the
//                    SDK's HTTP handler ends in) and when the first and the last began (from the process's
//                    start): where a run's time goes before, between and after its AWS calls.
// performance.now() counts from the process's time origin (its start).
const { writeFileSync } = require("node:fs");
const { performance } = require("node:perf_hooks");
const net = require("node:net");
const out = process.env.DEPLOYER_BENCH_MEASURE;
if (out) {
  const preloadAt = performance.now();
  const connectsAt = [];
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (...args) {
    connectsAt.push(performance.now());
    return connect.apply(this, args);
  };
  process.on("exit", () => {
    const exitAt = performance.now();
    const cpu = process.cpuUsage();
    writeFileSync(
      out,
      JSON.stringify({
        startupMs: preloadAt,
        afterStartupMs: exitAt - preloadAt,
        cpuMs: (cpu.user + cpu.system) / 1000,
        maxRssMB: process.resourceUsage().maxRSS / 1024,
        connects: connectsAt.length,
        firstConnectMs: connectsAt[0],
        lastConnectMs: connectsAt.at(-1),
        exitMs: exitAt,
      }),
    );
  });
}
