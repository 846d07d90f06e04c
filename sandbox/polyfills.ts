// aws-local-stepfunctions 3 calls Promise.withResolvers (Node 22). Without it every Task state throws a
// TypeError that a Catch then swallows, so executions would silently take their failure paths on Node 20.
export function installPolyfills(): void {
  const promise = Promise as unknown as { withResolvers?: unknown };
  if (typeof promise.withResolvers === 'function') return;
  promise.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const created = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise: created, resolve, reject };
  };
}
