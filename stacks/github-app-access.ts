import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ENV } from '../statemachine/contracts';

/** What a function needs to call GitHub as the App: its id, the API root, and the private key's secret. */
export interface GitHubAppAccess {
  readonly appId: number;
  /** https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server. */
  readonly apiUrl: string;
  readonly privateKey: secretsmanager.ISecret;
}

/** Lets the function read the App's private key, and tells it the App id, API URL and key secret (names only). */
export function giveGitHubApp(fn: lambda.Function, app: GitHubAppAccess): void {
  app.privateKey.grantRead(fn);
  fn.addEnvironment(ENV.gitHubAppId, String(app.appId));
  fn.addEnvironment(ENV.gitHubApiUrl, app.apiUrl);
  fn.addEnvironment(ENV.privateKeySecretArn, app.privateKey.secretArn);
}
