import { renderCreateAppPage } from '../../github-app/create-app-page';
import { buildManifest, newAppUrl, type AppManifest } from '../../github-app/manifest';

const HOSTILE_NAME = `"><script>alert('x')</script>&amp;`;

function aPage(overrides: { name?: string; org?: string | undefined } = {}): { html: string; manifest: AppManifest } {
  const manifest = buildManifest({
    scope: 'organization',
    webhookUrl: 'https://abcdefghijklmnop.lambda-url.eu-west-1.on.aws/?a=1&b=2',
    rerun: false,
    name: overrides.name ?? 'octo-org ECS runners',
    homepageUrl: 'https://github.com/octo-org',
  });
  const org = 'org' in overrides ? overrides.org : 'octo-org';
  const html = renderCreateAppPage({
    manifest,
    formAction: newAppUrl('https://github.com', org),
    owner: 'the organization octo-org',
    exchangeCommand: 'npx tsx github-app/create-app.ts --exchange CODE --private-key-secret <PrivateKeySecretName>',
  });
  return { html, manifest };
}

/** What a browser submits as the `manifest` field: the attribute value with its character references decoded. */
function submittedManifest(html: string): unknown {
  const inputs = [...html.matchAll(/<input type="hidden" name="manifest" value="([^"]*)">/g)];
  expect(inputs).toHaveLength(1);
  const named: Record<string, string> = { amp: '&', quot: '"', lt: '<', gt: '>', apos: "'" };
  const decoded = (inputs[0]?.[1] ?? '').replace(/&(#\d+|[a-z]+);/g, (ref, name: string) =>
    name.startsWith('#') ? String.fromCharCode(Number(name.slice(1))) : (named[name] ?? ref),
  );
  return JSON.parse(decoded);
}

describe('renderCreateAppPage', () => {
  it('posts the manifest, as JSON in a field called manifest, to the organization\'s new-App page', () => {
    // GIVEN a manifest for the organization octo-org
    // WHEN the page is rendered
    const { html, manifest } = aPage();

    // THEN its only form POSTs to GitHub's organization page, and the field decodes to the exact manifest
    expect([...html.matchAll(/<form /g)]).toHaveLength(1);
    expect(html).toContain('<form action="https://github.com/organizations/octo-org/settings/apps/new" method="post">');
    expect(submittedManifest(html)).toEqual(manifest);
  });

  it('posts to the personal account\'s new-App page without an organization', () => {
    const { html } = aPage({ org: undefined });

    expect(html).toContain('<form action="https://github.com/settings/apps/new" method="post">');
  });

  it('escapes every value, so a name with quotes, tags and ampersands neither ends the attribute nor adds markup', () => {
    // GIVEN an App name that would break naive HTML
    // WHEN the page is rendered
    const { html, manifest } = aPage({ name: HOSTILE_NAME });

    // THEN the browser would submit the name unchanged, and no tag from it made it into the page
    expect(submittedManifest(html)).toEqual(manifest);
    expect((submittedManifest(html) as AppManifest).name).toBe(HOSTILE_NAME);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain(`alert('x')`);
  });

  it('runs no script and loads nothing: the page is one self-contained form', () => {
    const { html } = aPage();

    expect(html).not.toMatch(/<script|<link|<img|<iframe|src=/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('tells the reader where the code comes back and the command that finishes the flow', () => {
    const { html } = aPage();

    expect(html).toContain('http://localhost:8765/github-app-created?code=');
    expect(html).toContain('--exchange CODE --private-key-secret &#60;PrivateKeySecretName&#62;');
    expect(html).toContain('Organization → Self-hosted runners</td><td>Read and write');
  });
});
