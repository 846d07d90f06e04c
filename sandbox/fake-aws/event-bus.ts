// EventBridge as the fleet uses it: PutEvents onto the bus, the archive, and the rules' event patterns, targets and
// input transformers, all read from the synthesized template, so the sandbox routes events exactly as AWS would.
import { randomUUID } from 'node:crypto';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { CloudFormationTemplate } from '../lifecycle/definition';

/** One rule with its target, as the template defines them. */
interface RuleTarget {
  ruleId: string;
  pattern: Record<string, unknown>;
  /** Logical id of the target resource (the state machine, a Lambda function). */
  targetId: string;
  /** Absent: the target gets the whole event. */
  transformer?: { inputPaths: Record<string, string>; inputTemplate: string };
}

export interface BusEvent {
  id: string;
  source: string;
  'detail-type': string;
  detail: unknown;
  time: string;
}

type TemplateTarget = { Arn: unknown; InputTransformer?: { InputPathsMap: Record<string, string>; InputTemplate: string } };

export class FakeEventBus {
  readonly archive: BusEvent[] = [];
  readonly rules: RuleTarget[];
  private readonly listeners = new Map<string, ((input: unknown) => void)[]>();
  /** Make PutEvents fail (an EventBridge outage), to exercise the relay's 5xx and GitHub's redelivery. */
  failing = false;

  constructor(template: CloudFormationTemplate) {
    this.rules = Object.entries(template.Resources)
      // Rules with an event pattern (scheduled rules do not listen to the bus).
      .filter(([, r]) => r.Type === 'AWS::Events::Rule' && r.Properties?.EventPattern !== undefined)
      .flatMap(([ruleId, rule]) =>
        ((rule.Properties?.Targets as TemplateTarget[] | undefined) ?? []).map((target) => {
          const rendered: RuleTarget = { ruleId, pattern: rule.Properties?.EventPattern as Record<string, unknown>, targetId: logicalIdOf(target.Arn) };
          if (target.InputTransformer) rendered.transformer = { inputPaths: target.InputTransformer.InputPathsMap, inputTemplate: target.InputTransformer.InputTemplate };
          return rendered;
        }),
      );
  }

  /** Called with the (transformed) input of every event a rule targeting `targetId` matches. */
  onTarget(targetId: string, listener: (input: unknown) => void): void {
    if (!this.rules.some((rule) => rule.targetId === targetId)) throw new Error(`No rule of the template targets ${targetId}`);
    this.listeners.set(targetId, [...(this.listeners.get(targetId) ?? []), listener]);
  }

  putEvents = async (entries: PutEventsRequestEntry[]): Promise<{ FailedEntryCount: number; Entries: { EventId?: string; ErrorCode?: string }[] }> => {
    await Promise.resolve();
    if (this.failing) throw Object.assign(new Error('Service unavailable'), { name: 'InternalException' });
    const results = entries.map((entry) => {
      const event: BusEvent = { id: randomUUID(), source: entry.Source ?? '', 'detail-type': entry.DetailType ?? '', detail: JSON.parse(entry.Detail ?? '{}') as unknown, time: new Date().toISOString() };
      this.archive.push(event);
      for (const rule of this.rules.filter((candidate) => matches(candidate.pattern, event))) {
        const input = rule.transformer ? transform(rule.transformer.inputPaths, rule.transformer.inputTemplate, event) : event;
        for (const listener of this.listeners.get(rule.targetId) ?? []) listener(input);
      }
      return { EventId: event.id };
    });
    return { FailedEntryCount: 0, Entries: results };
  };
}

/** `{Ref: id}` or `{"Fn::GetAtt": [id, "Arn"]}`: the logical id a target ARN refers to. */
function logicalIdOf(arn: unknown): string {
  if (arn !== null && typeof arn === 'object') {
    if ('Ref' in arn && typeof arn.Ref === 'string') return arn.Ref;
    if ('Fn::GetAtt' in arn && Array.isArray(arn['Fn::GetAtt']) && typeof arn['Fn::GetAtt'][0] === 'string') return arn['Fn::GetAtt'][0];
  }
  throw new Error(`FakeEventBus cannot tell which resource the target ${JSON.stringify(arn)} is`);
}

/** EventBridge's matching: every pattern key must match; an array lists allowed values or `{prefix}` filters. */
export function matches(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) {
    const candidates = Array.isArray(value) ? value : [value];
    return (pattern as unknown[]).some((allowed) => {
      if (allowed !== null && typeof allowed === 'object') {
        const keys = Object.keys(allowed);
        if (keys.length !== 1 || keys[0] !== 'prefix') throw new Error(`FakeEventBus supports exact values and prefix filters only, not ${JSON.stringify(allowed)}`);
        const prefix = (allowed as { prefix: unknown }).prefix;
        return candidates.some((candidate) => typeof candidate === 'string' && typeof prefix === 'string' && candidate.startsWith(prefix));
      }
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
