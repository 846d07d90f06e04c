import nock from 'nock';

/**
 * GitHub over HTTP with nock for a whole test file: no real network, and every test must use each interceptor
 * it set up (those `ignore` matches may stay unused, e.g. a token exchange a warm cache skipped).
 */
export function useNock(options: { ignore?: (mock: string) => boolean } = {}): void {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks().filter((mock) => !options.ignore?.(mock));
    nock.cleanAll();
    expect(pending).toEqual([]);
  });
  afterAll(() => nock.enableNetConnect());
}
