// Every AWS call the sandbox answered (or refused), in order, for assertions like "no
// RegisterTaskDefinition reached account 666666666666".
export interface RequestLogEntry {
  seq: number;
  time: string;
  service: "sts" | "iam" | "ecs" | "ecr" | "servicediscovery" | "ram" | "ssm" | "secretsmanager" | "logs" | "kms" | "ec2";
  action: string;
  account: string;
  region: string;
  principal: string;
  status: number;
  errorCode?: string;
  fault?: "throttle" | "error" | "drop";
}

export interface LogFilter {
  account?: string;
  action?: string;
  service?: string;
  /** Calls made with credentials of this role (any session): principal arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION. */
  role?: string;
}

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;

  constructor(private readonly limit = 100_000) {}

  add(e: Omit<RequestLogEntry, "seq">): RequestLogEntry {
    const entry = { seq: ++this.seq, ...e };
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    return entry;
  }

  list(filter: LogFilter = {}): RequestLogEntry[] {
    return this.entries
      .filter(
        (e) =>
          (filter.account === undefined || e.account === filter.account) &&
          (filter.action === undefined || e.action === filter.action) &&
          (filter.service === undefined || e.service === filter.service) &&
          (filter.role === undefined || e.principal.split(":assumed-role/")[1]?.split("/")[0] === filter.role),
      )
      .map((e) => ({ ...e }));
  }

  clear(): void {
    this.entries = [];
  }
}
