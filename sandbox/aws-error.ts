// An error the sandbox returns to the caller exactly as AWS would: a code (the JSON `__type` or the
// Query `<Code>`), a message, an HTTP status and, for the Query protocol, Sender/Receiver.
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
    readonly type: "Sender" | "Receiver" = status >= 500 ? "Receiver" : "Sender",
    /** More members of the error shape, for JSON protocols (e.g. ECS ConflictException.resourceIds). */
    readonly fields?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "AwsError";
  }
}
