import { toLifecycleState } from '../../../lambdas/lifecycle/lifecycle-state';
import { InvalidLaunchRequestError } from '../../../lambdas/shared/errors';
import { aLaunchRequest, aLifecycleState, aStoppedTask } from '../support/builders';

describe('toLifecycleState', () => {
  it('starts a fresh launch request at attempt 1', () => {
    expect(toLifecycleState(aLaunchRequest())).toEqual({ request: aLaunchRequest(), attempt: 1, interruptions: 0, onDemand: false, attempts: [] });
  });

  it('keeps the error a Catch added to a fresh launch request', () => {
    const state = toLifecycleState({ ...aLaunchRequest(), error: { Error: 'GitHubUnavailable', Cause: '{"errorMessage":"GitHub is unavailable"}' } });

    expect(state.error).toEqual({ Error: 'GitHubUnavailable', Cause: '{"errorMessage":"GitHub is unavailable"}' });
    expect(state.request).toEqual(aLaunchRequest());
  });

  it('passes a lifecycle state through, task and all', () => {
    const input = { ...aLifecycleState({ attempt: 2, interruptions: 1, next: 'relaunch' }), task: aStoppedTask() };

    expect(toLifecycleState(input)).toEqual(input);
  });

  it('rejects a lifecycle state with a bad request, naming the field', () => {
    expect(() => toLifecycleState(aLifecycleState({ request: { ...aLaunchRequest(), labels: [] } }))).toThrow(InvalidLaunchRequestError);
  });

  it('rejects a lifecycle state with a bad attempt number', () => {
    expect(() => toLifecycleState({ ...aLifecycleState(), attempt: 0 })).toThrow("'attempt'");
  });
});
