// EventBridge as the fleet uses it: PutEvents onto the bus, the archive, and the rule's event pattern and input
// transformer, both read from the synthesized template, so the sandbox routes events exactly as AWS would.
import { randomUUID } from 'node:crypto';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { CloudFormationTemplate } from '../lifecycle/definition';

interface RuleTarget {
  pattern: Record<string, unknown>;
  inputPaths: Record<string, string>;
  inputTemplate: string;
}

export interface BusEvent {
  id: string;
  source: string;
  'detail-type': string;
  detail: unknown;
  time: string;
}

export class FakeEventBus {
  readonly archive: BusEvent[] = [];
  private readonly rule: RuleTarget;
  private readonly listeners: ((input: Record<string, unknown>) => void)[] = [];
  /** Make PutEvents fail (an EventBridge outage), to exercise the relay's 5xx and GitHub's redelivery. */
  failing = false;

  constructor(template: CloudFormationTemplate) {
    const rules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule');
    const [rule] = rules;
    if (rules.length !== 1 || !rule) throw new Error(`Expected one rule in the template, found ${rules.length}`);
    const target = (rule.Properties?.Targets as { InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string } }[])[0];
    if (!target) throw new Error('The rule has no target');
    this.rule = {
      pattern: rule.Properties?.EventPattern as Record<string, unknown>,
      inputPaths: target.InputTransformer.InputPathsMap,
      inputTemplate: target.InputTransformer.InputTemplate,
    };
  }

  /** Called with the transformed input of every event the rule matches (the target starts an execution). */
  onExecutionInput(listener: (input: Record<string, unknown>) => void): void {
    this.listeners.push(listener);
  }

  putEvents = async (entries: PutEventsRequestEntry[]): Promise<{ FailedEntryCount: number; Entries: { EventId?: string; ErrorCode?: string }[] }> => {
    await Promise.resolve();
    if (this.failing) throw Object.assign(new Error('Service unavailable'), { name: 'InternalException' });
    const results = entries.map((entry) => {
      const event: BusEvent = { id: randomUUID(), source: entry.Source ?? '', 'detail-type': entry.DetailType ?? '', detail: JSON.parse(entry.Detail ?? '{}') as unknown, time: new Date().toISOString() };
      this.archive.push(event);
      if (matches(this.rule.pattern, event)) {
        const input = transform(this.rule.inputPaths, this.rule.inputTemplate, event);
        for (const listener of this.listeners) listener(input);
      }
      return { EventId: event.id };
    });
    return { FailedEntryCount: 0, Entries: results };
  };
}

/** EventBridge's exact-value matching: every pattern key must match; an array lists allowed values. */
export function matches(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) {
    const candidates = Array.isArray(value) ? value : [value];
    return pattern.some((allowed) => {
      if (allowed !== null && typeof allowed === 'object') throw new Error(`FakeEventBus supports exact values only, not ${JSON.stringify(allowed)}`);
      return candidates.some((candidate) => candidate === allowed);
    });
  }
  if (pattern !== null && typeof pattern === 'object') {
    if (value === null || typeof value !== 'object') return false;
    return Object.entries(pattern).every(([key, sub]) => matches(sub, (value as Record<string, unknown>)[key]));
  }
  throw new Error(`Unsupported event pattern ${JSON.stringify(pattern)}`);
}

/** The input transformer: each unquoted <name> becomes the JSON of its path's value (null when absent). */
export function transform(paths: Record<string, string>, template: string, event: BusEvent): Record<string, unknown> {
  const rendered = template.replace(/<([A-Za-z0-9_.-]+)>/g, (_, name: string) => {
    const path = paths[name];
    if (path === undefined) throw new Error(`The input template uses <${name}>, which the InputPathsMap does not define`);
    return JSON.stringify(valueAt(event, path) ?? null);
  });
  return JSON.parse(rendered) as Record<string, unknown>;
}

function valueAt(root: unknown, path: string): unknown {
  return path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter((part) => part !== '')
    .reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), root);
}
