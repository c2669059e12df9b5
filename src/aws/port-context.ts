// What an SDK-backed port knows about where it is used, so its errors can name the target, the
// account and the endpoint without every caller wrapping them.
export interface PortContext {
  /** The target (environment name) the port acts for. */
  target?: string;
  /** The account the port's credentials act in. */
  account?: string;
  /** The endpoint requests go to, named in connection errors (`https://ecs.eu-west-1.amazonaws.com`). */
  endpoint?: string;
}
