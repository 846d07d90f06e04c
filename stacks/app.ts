import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseFleetConfig } from './config';
import { FleetStack } from './fleet-stack';

const app = new App();
// Validate first: a bad value stops here with the value and the fix, before any construct is built.
const fleet = parseFleetConfig(app.node.tryGetContext('fleet'));
new FleetStack(app, (app.node.tryGetContext('stackName') as string | undefined) ?? 'GitHubRunnersOnEcs', {
  fleet,
  ...deploymentEnvironment(),
  description: 'Ephemeral GitHub Actions runners on Amazon ECS, one Step Functions execution per job',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

/** The CLI's account and region when it knows them; otherwise an environment-agnostic stack (offline synth). */
function deploymentEnvironment(): { env?: { account: string; region: string } } {
  const { CDK_DEFAULT_ACCOUNT: account, CDK_DEFAULT_REGION: region } = process.env;
  return account && region ? { env: { account, region } } : {};
}
