// A Lambda function's reserved concurrency: at most `limit` invocations run at once. Step Functions retries a
// throttled invocation until a slot frees; locally the invocation simply waits for one, in arrival order.
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  /** Invocations that found every slot taken (each would have been a Lambda.TooManyRequestsException). */
  throttled = 0;

  constructor(readonly limit: number) {}

  async run<T>(invoke: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      this.throttled += 1;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return await invoke();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
