import { createLogger } from '../../../lambdas/shared/logger';

describe('createLogger', () => {
  it('writes one JSON object per line with the base fields', () => {
    const lines: string[] = [];
    const logger = createLogger({ component: 'relay' }, (line) => lines.push(line)).child({ delivery: 'abc' });

    logger.info('accepted', { status: 202 });

    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 'info', message: 'accepted', component: 'relay', delivery: 'abc', status: 202 });
  });

  it('redacts fields whose names can hold credentials, at any depth', () => {
    const lines: string[] = [];
    const logger = createLogger({}, (line) => lines.push(line));

    logger.warn('oops', { token: 'ghs_abc', nested: { jitConfig: 'eyJ', privateKey: 'k', keep: 1 }, webhookSecret: 's' });

    const text = lines.join('\n');
    expect(text).not.toContain('ghs_abc');
    expect(text).not.toContain('eyJ');
    expect(JSON.parse(text)).toMatchObject({ token: '[redacted]', nested: { jitConfig: '[redacted]', privateKey: '[redacted]', keep: 1 }, webhookSecret: '[redacted]' });
  });
});
