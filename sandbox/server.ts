// The HTTP front: one port for STS, IAM, ECS and ECR (the SDK is pointed at it with
// AWS_ENDPOINT_URL) plus the admin API under /_sandbox/. Routes by X-Amz-Target (JSON 1.1) or
// the SigV4 credential scope's service (Query), authenticates the SigV4 signature, applies
// faults, dispatches, logs.
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { AwsError } from "./aws-error.js";
import { CallContext, type Protocol, type SandboxSettings } from "./call-context.js";
import type { Rollouts } from "./deployments.js";
import type { FaultInjector, FaultKind } from "./faults.js";
import { callerFor, PolicyEvaluationError, type Caller } from "./iam-eval.js";
import { parseQueryParams, queryError, queryResponse, str, type QueryParams, type XmlValue } from "./protocol-query.js";
import { ec2Error, ec2Response, parseEc2Params, type Ec2Params } from "./protocol-ec2.js";
import { ec2Actions } from "./services/ec2.js";
import type { RequestLog, RequestLogEntry } from "./request-log.js";
import { ecrActions } from "./services/ecr.js";
import { ecsActions, type EcsAction } from "./services/ecs.js";
import { ecsTaskActions } from "./services/ecs-tasks.js";
import { iamActions } from "./services/iam.js";
import { RAM_PATHS, ramActions } from "./services/ram.js";
import { serviceDiscoveryActions } from "./services/servicediscovery.js";
import { kmsActions } from "./services/kms.js";
import { logsActions } from "./services/logs.js";
import { secretsManagerActions } from "./services/secretsmanager.js";
import { ssmActions } from "./services/ssm.js";
import { assumeRoleWithWebIdentity, stsActions } from "./services/sts.js";
import { parseAuthorization, verifySignature } from "./sigv4.js";
import type { World } from "./world.js";

type Service = RequestLogEntry["service"];

const JSON_TARGETS: Record<string, Service> = {
  AmazonEC2ContainerServiceV20141113: "ecs",
  AmazonEC2ContainerRegistry_V20150921: "ecr",
  Route53AutoNaming_v20170314: "servicediscovery",
  // What tasks need at launch (launch-resources.ts): X-Amz-Target prefixes of the SDK clients.
  AmazonSSM: "ssm",
  secretsmanager: "secretsmanager",
  Logs_20140328: "logs",
  TrentService: "kms",
};

/** JSON 1.1 action tables besides ECS (which needs the rollouts). */
const JSON_ACTIONS: Partial<
  Record<Service, Record<string, (c: CallContext, i: Record<string, unknown>) => Promise<Record<string, unknown>>>>
> = {
  ecr: ecrActions,
  ssm: ssmActions,
  secretsmanager: secretsManagerActions,
  logs: logsActions,
  kms: kmsActions,
  servicediscovery: serviceDiscoveryActions,
  ram: ramActions,
};

const MAX_BODY = 10 * 1024 * 1024;

export interface Dispatcher {
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void>;
}

interface Routed {
  service: Service;
  protocol: Protocol;
  action: string;
  json?: Record<string, unknown>;
  query?: QueryParams;
  /** The EC2 Query protocol (lists as `Name.N`, XML with `<item>`s). */
  ec2?: Ec2Params;
  /** REST-JSON (RAM): the operation is the path; replies are application/json. */
  rest?: boolean;
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class AwsDispatcher implements Dispatcher {
  private readonly ecs: Record<string, EcsAction>;

  constructor(
    private readonly world: World,
    private readonly rollouts: Rollouts,
    private readonly faults: FaultInjector,
    private readonly log: RequestLog,
    private readonly settings: SandboxSettings,
  ) {
    // Standalone tasks (RunTask, DescribeTasks, StopTask, ListTasks) live in ecs-tasks.ts.
    this.ecs = { ...ecsActions(rollouts), ...ecsTaskActions() };
  }

  private route(req: IncomingMessage, body: Buffer, scopeService: string | undefined): Routed | AwsError {
    const target = header(req, "x-amz-target");
    if (target) {
      const [prefix, action] = target.split(".");
      const service = JSON_TARGETS[prefix ?? ""];
      if (!service || !action) return new AwsError("UnknownOperationException", `Unknown target ${target}`);
      let json: Record<string, unknown> = {};
      if (body.length > 0) {
        try {
          json = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
        } catch {
          return new AwsError("SerializationException", "Unable to parse the request body as JSON");
        }
      }
      return { service, protocol: "json", action, json };
    }
    if (scopeService === "ram") {
      const path = new URL(req.url ?? "/", "http://sandbox").pathname.replace(/\/+$/, "").toLowerCase();
      const action = RAM_PATHS[path];
      if (!action) return new AwsError("UnknownOperationException", `Unknown operation ${req.method ?? "POST"} ${path}`, 404);
      let json: Record<string, unknown> = {};
      if (body.length > 0) {
        try {
          json = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
        } catch {
          return new AwsError("SerializationException", "Unable to parse the request body as JSON");
        }
      }
      return { service: "ram", protocol: "json", action, json, rest: true };
    }
    const query = parseQueryParams(body.toString("utf8"));
    const action = str(query, "Action") ?? "";
    if (scopeService === "ec2") return { service: "ec2", protocol: "query", action, query, ec2: parseEc2Params(body.toString("utf8")) };
    const service: Service = scopeService === "iam" ? "iam" : "sts";
    return { service, protocol: "query", action, query };
  }

  async handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const time = new Date().toISOString();
    const auth = parseAuthorization(header(req, "authorization"));
    const routed = this.route(req, body, auth?.service);
    const region = auth?.region ?? "us-east-1";
    const entry = { time, region, account: "", principal: "" } as Omit<RequestLogEntry, "seq">;
    if (routed instanceof AwsError) {
      entry.service = "ecs";
      entry.action = header(req, "x-amz-target") ?? "";
      this.sendError(res, "json", "ecs", routed, entry);
      return;
    }
    entry.service = routed.service;
    entry.action = routed.action;
    const { protocol, service } = routed;

    // EC2 words two of them its own way: an expired session is RequestExpired "Request has expired."
    // (HTTP 400: https://github.com/ava-labs/avalanche-cli/issues/1137, https://github.com/aws/aws-sdk-java/issues/1443),
    // an unknown or invalid token AuthFailure "AWS was not able to validate the provided access credentials"
    // (HTTP 401, as SDK errors print it: "status code: 401").
    const EC2_AUTH: Record<string, [string, string, number]> = {
      ExpiredToken: ["RequestExpired", "Request has expired.", 400],
      InvalidClientTokenId: ["AuthFailure", "AWS was not able to validate the provided access credentials", 401],
    };
    const authError = (jsonCode: string, queryCode: string, message: string, queryStatus = 403) => {
      const ec2 = service === "ec2" ? EC2_AUTH[queryCode] : undefined;
      if (ec2) return new AwsError(ec2[0], ec2[1], ec2[2]);
      return protocol === "json" ? new AwsError(jsonCode, message, 400) : new AwsError(queryCode, message, queryStatus);
    };

    // AssumeRoleWithWebIdentity is the one unsigned call (botocore: "authtype": "none"): the token is the proof.
    if (!auth && protocol === "query" && routed.action === "AssumeRoleWithWebIdentity") {
      try {
        const out = assumeRoleWithWebIdentity({ world: this.world, settings: this.settings, now: Date.now() }, routed.query ?? {});
        this.send(res, 200, "text/xml", queryResponse("sts", routed.action, out.result));
        this.log.add({ ...entry, region: "", account: out.account, principal: out.principal, status: 200 });
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        this.sendError(res, protocol, service, err, { ...entry, region: "" });
      }
      return;
    }

    // --- authentication ---
    if (!auth) {
      this.sendError(
        res,
        protocol,
        service,
        authError("MissingAuthenticationTokenException", "MissingAuthenticationToken", "Missing Authentication Token"),
        entry,
      );
      return;
    }
    const key = this.world.accessKeys.get(auth.accessKeyId);
    const invalidToken = authError(
      "UnrecognizedClientException",
      "InvalidClientTokenId",
      "The security token included in the request is invalid.",
    );
    if (!key) {
      this.sendError(res, protocol, service, invalidToken, entry);
      return;
    }
    entry.account = key.principal.account;
    if (!verifySignature({ method: req.method ?? "POST", url: req.url ?? "/", headers: req.headers, body }, auth, key.secret)) {
      const message =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
      this.sendError(res, protocol, service, authError("InvalidSignatureException", "SignatureDoesNotMatch", message), entry);
      return;
    }
    const token = header(req, "x-amz-security-token");
    if (key.sessionToken !== undefined ? token !== key.sessionToken : token !== undefined) {
      this.sendError(res, protocol, service, invalidToken, entry);
      return;
    }
    const now = Date.now();
    if (key.expiresAt !== undefined && key.expiresAt <= now) {
      this.sendError(
        res,
        protocol,
        service,
        authError("ExpiredTokenException", "ExpiredToken", "The security token included in the request is expired"),
        entry,
      );
      return;
    }
    const caller: Caller | undefined = callerFor(this.world, key.principal);
    if (!caller) {
      this.sendError(res, protocol, service, invalidToken, entry);
      return;
    }
    entry.principal = caller.arn;
    entry.account = caller.account;
    // No credentials of an account work in an opt-in region it has not enabled (regions.ts).
    if (!this.world.regionEnabled(caller.account, region)) {
      this.sendError(
        res,
        protocol,
        service,
        authError("UnrecognizedClientException", "InvalidClientTokenId", "The security token included in the request is invalid"),
        entry,
      );
      return;
    }

    // --- faults ---
    const concerned = [caller.account];
    const roleAccount =
      routed.query && routed.action === "AssumeRole" ? /^arn:aws:iam::(\d{12}):/.exec(str(routed.query, "RoleArn") ?? "")?.[1] : undefined;
    if (roleAccount) concerned.push(roleAccount);
    const latency = this.faults.latencyFor(routed.action, concerned);
    if (latency > 0) await sleep(latency);
    const fault: FaultKind | undefined = this.faults.isUnreachable(concerned) ? "drop" : this.faults.pick(routed.action, concerned);
    if (fault === "drop") {
      this.log.add({ ...entry, status: 0, fault: "drop" });
      req.socket.destroy();
      return;
    }
    if (fault === "throttle") {
      // EC2 throttles with RequestLimitExceeded (https://github.com/ansible/ansible/issues/35032), HTTP 503.
      const err =
        service === "ec2"
          ? new AwsError("RequestLimitExceeded", "Request limit exceeded.", 503)
          : protocol === "json"
            ? new AwsError("ThrottlingException", "Rate exceeded", 400)
            : new AwsError("Throttling", "Rate exceeded", 400);
      this.sendError(res, protocol, service, err, { ...entry, fault });
      return;
    }
    if (fault === "error") {
      const err =
        protocol === "json"
          ? new AwsError("InternalFailure", "The request processing has failed because of an unknown error, exception or failure.", 500)
          : new AwsError("ServiceUnavailable", "Service is unable to handle request.", 503);
      this.sendError(res, protocol, service, err, { ...entry, fault });
      return;
    }

    // --- dispatch ---
    const ctx = new CallContext(this.world, caller, region, protocol, this.settings, now);
    try {
      if (protocol === "json") {
        const table: Record<string, (c: CallContext, i: Record<string, unknown>) => Promise<Record<string, unknown>>> =
          service === "ecs" ? this.ecs : (JSON_ACTIONS[service] ?? {});
        const fn = Object.hasOwn(table, routed.action) && !this.faults.lacks(routed.action) ? table[routed.action] : undefined;
        if (!fn) throw new AwsError("UnknownOperationException", `Operation ${routed.action} is not supported by the sandbox`);
        const out = await fn(ctx, routed.json ?? {});
        this.send(res, 200, routed.rest ? "application/json" : "application/x-amz-json-1.1", JSON.stringify(out));
      } else if (service === "ec2") {
        const fn = Object.hasOwn(ec2Actions, routed.action) && !this.faults.lacks(routed.action) ? ec2Actions[routed.action] : undefined;
        // EC2's answer to an action it does not know (the same code as the other Query services).
        if (!fn) throw new AwsError("InvalidAction", `The action ${routed.action} is not valid for this web service.`);
        const out = await fn(ctx, routed.ec2 ?? parseEc2Params(""));
        this.send(res, 200, "text/xml;charset=UTF-8", ec2Response(routed.action, out));
      } else {
        const table: Record<string, (c: CallContext, p: QueryParams) => Promise<XmlValue | undefined>> =
          service === "iam" ? iamActions : stsActions;
        const fn = Object.hasOwn(table, routed.action) ? table[routed.action] : undefined;
        if (!fn)
          throw new AwsError(
            "InvalidAction",
            `Could not find operation ${routed.action} for version ${str(routed.query ?? {}, "Version") ?? ""}`,
          );
        const out = await fn(ctx, routed.query ?? {});
        this.send(res, 200, "text/xml", queryResponse(service as "sts" | "iam", routed.action, out));
      }
      this.log.add({ ...entry, status: 200 });
    } catch (err) {
      if (err instanceof AwsError) {
        this.sendError(res, protocol, service, err, entry);
        return;
      }
      const message = err instanceof PolicyEvaluationError || err instanceof Error ? err.message : String(err);
      process.stderr.write(
        `sandbox: internal error in ${service}:${routed.action}: ${err instanceof Error ? (err.stack ?? message) : message}\n`,
      );
      const internal =
        protocol === "json"
          ? new AwsError(service === "ecs" ? "ServerException" : "ServerException", `sandbox internal error: ${message}`, 500)
          : new AwsError("InternalFailure", `sandbox internal error: ${message}`, 500);
      this.sendError(res, protocol, service, internal, entry);
    }
  }

  private send(res: ServerResponse, status: number, type: string, body: string): void {
    res.writeHead(status, {
      "content-type": type,
      "content-length": Buffer.byteLength(body),
      "x-amzn-requestid": randomUUID(),
    });
    res.end(body);
  }

  private sendError(res: ServerResponse, protocol: Protocol, service: Service, err: AwsError, entry: Omit<RequestLogEntry, "seq">): void {
    if (protocol === "json") {
      res.setHeader("x-amzn-errortype", err.code);
      const type = service === "ram" ? "application/json" : "application/x-amz-json-1.1";
      this.send(res, err.status, type, JSON.stringify({ ...err.fields, __type: err.code, message: err.message }));
    } else if (service === "ec2") {
      this.send(res, err.status, "text/xml;charset=UTF-8", ec2Error(err));
    } else {
      this.send(res, err.status, "text/xml", queryError(service === "iam" ? "iam" : "sts", err));
    }
    this.log.add({ ...entry, status: err.status, errorCode: err.code });
  }
}
