// `npx tsx github-app/create-app.ts --help`: the fleet's GitHub App in one step, from a manifest.
import { writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { COMMAND, HELP, parseCommand, UsageError, type CreateCommand, type ExchangeCommand } from './arguments';
import { convertManifestCode, ManifestConversionError } from './convert-manifest-code';
import { renderCreateAppPage } from './create-app-page';
import { discardCredentialDir, prepareCredentialDir, writeCredentialFiles } from './credential-files';
import { buildManifest, newAppUrl } from './manifest';
import { exchangeCommandFor, renderCreateNextSteps, renderExchangeReport } from './next-steps';

export interface CreateAppIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  fetch?: typeof fetch;
  /** Where the default credentials directory is made. @default the system's temporary directory */
  tempRoot?: string;
}

/** Runs one step and returns the exit code: 0 done, 1 GitHub or the file system failed, 2 bad arguments. */
export async function runCreateApp(argv: readonly string[], io: CreateAppIo): Promise<number> {
  try {
    const command = parseCommand(argv);
    if (command.kind === 'help') io.stdout(HELP);
    else if (command.kind === 'create') createApp(command, io);
    else await exchangeCode(command, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${error.message}\nSee: ${COMMAND} --help\n`);
      return 2;
    }
    io.stderr(error instanceof ManifestConversionError ? `${error.message}\n` : `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

function createApp(command: CreateCommand, io: CreateAppIo): void {
  const manifest = buildManifest({
    scope: command.scope,
    webhookUrl: command.webhookUrl,
    rerun: command.rerun,
    name: command.name,
    homepageUrl: command.org ? `${command.webRoot}/${command.org}` : command.webRoot,
  });
  const formAction = newAppUrl(command.webRoot, command.org);
  const pagePath = command.out ?? join(__dirname, 'create-app.html');
  const page = renderCreateAppPage({
    manifest,
    formAction,
    owner: command.org ? `the organization ${command.org}` : 'your personal account',
    exchangeCommand: exchangeCommandFor(command),
  });
  try {
    writeFileSync(pagePath, page);
  } catch (error) {
    throw new UsageError(`Could not write the page to ${pagePath} (${error instanceof Error ? error.message : String(error)}): pass --out FILE in a folder that exists.`);
  }
  // stdout is the manifest alone, so it can be piped or saved; the guidance goes to stderr.
  io.stdout(`${JSON.stringify(manifest, null, 2)}\n`);
  io.stderr(renderCreateNextSteps(command, { pagePath: displayPath(pagePath), formAction, redirectUrl: manifest.redirect_url }));
}

function displayPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere && !fromHere.startsWith('..') && !isAbsolute(fromHere) ? fromHere : path;
}

async function exchangeCode(command: ExchangeCommand, io: CreateAppIo): Promise<void> {
  const dir = prepareCredentialDir(command.outDir, io.tempRoot);
  let app;
  try {
    app = await convertManifestCode({ apiUrl: command.apiUrl, code: command.code, ...(io.fetch ? { fetch: io.fetch } : {}) });
  } catch (error) {
    discardCredentialDir(dir);
    throw error;
  }
  const files = writeCredentialFiles(dir, app);
  io.stdout(renderExchangeReport(app, files, { privateKeySecret: command.privateKeySecret, webhookSecret: command.webhookSecret }));
}

if (require.main === module) {
  void runCreateApp(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  }).then((code) => {
    process.exitCode = code;
  });
}
