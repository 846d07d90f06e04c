// The page that starts GitHub's manifest flow: a plain form that POSTs the manifest to GitHub's "new App" page.
// No script at all: the manifest sits in an attribute, HTML-escaped, so no value can end the form or inject markup.
import type { AppManifest } from './manifest';

export interface CreateAppPageOptions {
  manifest: AppManifest;
  /** GitHub's "new App" URL for the organization or the personal account. */
  formAction: string;
  /** Who will own the App, for the reader: "the organization octo-org" or "your personal account". */
  owner: string;
  /** The command that finishes the flow, with CODE where the code goes. */
  exchangeCommand: string;
}

const PERMISSION_TITLES: Record<string, string> = {
  organization_self_hosted_runners: 'Organization → Self-hosted runners',
  administration: 'Repository → Administration',
  actions: 'Repository → Actions',
  metadata: 'Repository → Metadata',
};

export function renderCreateAppPage(options: CreateAppPageOptions): string {
  const { manifest, formAction, owner, exchangeCommand } = options;
  const permissions = Object.entries(manifest.default_permissions)
    .map(([permission, access]) => `<tr><td>${escapeHtml(PERMISSION_TITLES[permission] ?? permission)}</td><td>${access === 'write' ? 'Read and write' : 'Read-only'}</td></tr>`)
    .join('\n        ');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
  <meta name="referrer" content="no-referrer">
  <title>Create the GitHub App ${escapeHtml(manifest.name)}</title>
  <style>
    body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1f2328; }
    table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
    td { border: 1px solid #d0d7de; padding: 0.25rem 0.75rem; }
    button { font-size: 1rem; padding: 0.6rem 1.2rem; background: #1f883d; color: #fff; border: 0; border-radius: 6px; cursor: pointer; }
    pre { background: #f6f8fa; padding: 0.75rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
    code { background: #f6f8fa; padding: 0 0.2rem; }
  </style>
</head>
<body>
  <h1>Create the GitHub App for the runner fleet</h1>
  <p>This sends the manifest below to GitHub, which creates the App <b>${escapeHtml(manifest.name)}</b> in ${escapeHtml(owner)}
    once you confirm. You can change the name there; it must be unique on GitHub.</p>
  <table>
    <tbody>
        ${permissions}
        <tr><td>Events</td><td>${manifest.default_events.map(escapeHtml).join(', ')}</td></tr>
        <tr><td>Webhook URL</td><td>${escapeHtml(manifest.hook_attributes.url)}</td></tr>
    </tbody>
  </table>
  <form action="${escapeHtml(formAction)}" method="post">
    <input type="hidden" name="manifest" value="${escapeHtml(JSON.stringify(manifest))}">
    <button type="submit">Create GitHub App on GitHub</button>
  </form>
  <h2>Then</h2>
  <ol>
    <li>On GitHub, click <b>Create GitHub App</b>.</li>
    <li>GitHub sends your browser to <code>${escapeHtml(manifest.redirect_url)}?code=…</code>. That page does not load (nothing
      listens there, so the code stays on this machine): copy the code from the address bar. It works once, within an hour.</li>
    <li>Run:<pre>${escapeHtml(exchangeCommand)}</pre></li>
  </ol>
  <details>
    <summary>The manifest</summary>
    <pre>${escapeHtml(JSON.stringify(manifest, null, 2))}</pre>
  </details>
</body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
