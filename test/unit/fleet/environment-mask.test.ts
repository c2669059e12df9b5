import { describe, expect, it } from "vitest";
import type { Project } from "../../../src/config/types.js";
import { environmentSpecificFields, maskEnvironment, masksFor } from "../../../src/fleet/environment-mask.js";
import { loadExample } from "./fleet-fakes.js";

describe("environment-specific values", () => {
  it("are the configuration values that differ between the targets of a stage", async () => {
    const project: Project = await loadExample();
    const prod = project.targets.filter((t) => t.stage === "prod");
    const fields = environmentSpecificFields(project, prod);
    expect(fields).toEqual(
      expect.arrayContaining([
        "account",
        "cluster",
        "deployRole",
        "executionRole",
        "externalId",
        "imageRepository",
        "region",
        "target",
        "taskRole",
      ]),
    );
    for (const same of ["service", "vars.cpu", "vars.memory", "vars.logLevel", "vars.sentryDsn", "vars.containerPort"])
      expect(fields).not.toContain(same);
  });

  it("a target alone still has its name masked (family, log group)", async () => {
    const project = await loadExample();
    expect(
      environmentSpecificFields(
        project,
        project.targets.filter((t) => t.name === "dev"),
      ),
    ).toEqual(["target"]);
  });

  it("masks on boundaries, longest value first, in one pass", () => {
    const masks = [
      { placeholder: "{imageRepository}", value: "444444444444.dkr.ecr.eu-west-1.amazonaws.com/shop/api" },
      { placeholder: "{account}", value: "444444444444" },
      { placeholder: "{region}", value: "eu-west-1" },
      { placeholder: "{target}", value: "prod-eu" },
    ];
    const def = {
      image: "444444444444.dkr.ecr.eu-west-1.amazonaws.com/shop/api@sha256:abc",
      secret: "arn:aws:ssm:eu-west-1:444444444444:parameter/x",
      group: "/ecs/shop-api/prod-eu",
      longer: "prod-eu2 eu-west-10 1444444444444",
      n: 444444444444,
    };
    expect(maskEnvironment(def, masks)).toEqual({
      image: "{imageRepository}@sha256:abc",
      secret: "arn:aws:ssm:{region}:{account}:parameter/x",
      group: "/ecs/shop-api/{target}",
      longer: "prod-eu2 eu-west-10 1444444444444",
      n: "{account}",
    });
  });

  it("values shorter than 3 characters are not masked (they would hit unrelated fields)", async () => {
    const project = await loadExample();
    const found = project.targets.find((t) => t.name === "prod-eu")!;
    const prodEu = { ...found, vars: { ...found.vars, replicas: 3 } };
    const masks = masksFor(project, prodEu, ["vars.replicas", "region"]);
    expect(masks).toEqual([{ placeholder: "{region}", value: "eu-west-1" }]);
    expect(maskEnvironment({ retries: 3, region: "eu-west-1" }, masks)).toEqual({ retries: 3, region: "{region}" });
  });
});
