// The log of what happened, with simulated timestamps: the sandbox turns it into per-runner timelines.
import type { FakeGitHubEvent, FakeGitHubEventType } from './types';

export type EventListener = (event: FakeGitHubEvent) => void;

export class EventLog {
  private readonly entries: FakeGitHubEvent[] = [];
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly now: () => number) {}

  record(type: FakeGitHubEventType, fields: Omit<FakeGitHubEvent, 'atMs' | 'type'> = {}): void {
    const event: FakeGitHubEvent = { atMs: this.now(), type, ...fields };
    this.entries.push(event);
    for (const listener of this.listeners) listener(event);
  }

  list(): readonly FakeGitHubEvent[] {
    return [...this.entries];
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
