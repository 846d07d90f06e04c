// Runs `main` with mocked AWS clients and captured output, as the tests' single seam.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../../cli/fleet';
import { REGION, STACK_OUTPUTS } from './fixtures';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  files: Map<string, string>;
}

export function mockAws() {
  const sfn = mockClient(SFNClient);
  const cloudFormation = mockClient(CloudFormationClient);
  cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'GitHubRunnersOnEcs', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: STACK_OUTPUTS }] });
  return { sfn, cloudFormation };
}

export async function runFleet(argv: string[], now = new Date('2025-03-01T10:20:00.000Z')): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const files = new Map<string, string>();
  const code = await main(argv, {
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    clients: () => ({ sfn: new SFNClient({ region: REGION }), cloudFormation: new CloudFormationClient({ region: REGION }) }),
    writeFile: (path, content) => {
      files.set(path, content);
      return Promise.resolve();
    },
    now: () => now,
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), files };
}
