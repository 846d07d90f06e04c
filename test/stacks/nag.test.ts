import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FleetStack } from '../../stacks/fleet-stack';
import { testFleetConfig } from './synth';

function appWithNag(): App {
  // The built-in CloudFormation validator stays on here: this is the test that synthesizes like `cdk synth`.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the fleet stack, with every class kind and both network modes', () => {
    const app = appWithNag();
    const fargateOnly = testFleetConfig().runnerClasses.filter((cls) => cls.docker !== true);
    const { network: _existing, ...withoutNetwork } = testFleetConfig({ runnerClasses: fargateOnly });
    new FleetStack(app, 'NewVpc', { fleet: withoutNetwork });
    new FleetStack(app, 'ExistingVpc', { fleet: testFleetConfig({ scope: { repositories: ['octo-org/hello-world'] } }) });

    expect(() => app.synth()).not.toThrow();
  });

  it('fails the synth on a finding nobody acknowledged', () => {
    const app = appWithNag();
    new s3.Bucket(new Stack(app, 'Careless'), 'Open', {});

    expect(() => app.synth()).toThrow(/AwsSolutions-S1|Validation failed/);
  });
});
