// Plain HTML pages for the interop provider. oidc-provider's default pages
// import a web font from a public host; a headless browser in the tests
// would then try to reach it. These load nothing: only 127.0.0.1 is ever
// contacted.

function htmlSafe(value) {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function page(title, body) {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>${htmlSafe(title)}</title></head>
<body><h1>${htmlSafe(title)}</h1>
${body}
</body></html>
`;
}

// The error page shown when the provider cannot redirect back (unknown
// client, unregistered redirect_uri, ...): each field on its own line.
export async function renderError(ctx, out) {
  ctx.type = 'html';
  const fields = Object.entries(out)
    .map(([key, value]) => `<pre>${htmlSafe(key)}: ${htmlSafe(value)}</pre>`)
    .join('\n');
  ctx.body = page('authorization server error', fields);
}

export async function userCodeInputSource(ctx, form, _out, err) {
  const message = err ? `<p>error: ${htmlSafe(err.error ?? err.name)}</p>` : '<p>Enter the code shown on your device.</p>';
  ctx.body = page('Device sign-in', `${message}\n${form}\n<button type="submit" form="op.deviceInputForm">Continue</button>`);
}

export async function userCodeConfirmSource(ctx, form, client, _deviceInfo, userCode) {
  ctx.body = page('Confirm device', `<p>${htmlSafe(client.clientId)} shows <code>${htmlSafe(userCode)}</code></p>
${form}
<button type="submit" form="op.deviceConfirmForm">Continue</button>
<button type="submit" form="op.deviceConfirmForm" value="yes" name="abort">Abort</button>`);
}

export async function successSource(ctx) {
  ctx.body = page('Device sign-in complete', '<p>You can close this page.</p>');
}

export async function logoutSource(ctx, form) {
  ctx.body = page('Sign out', `${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button>
<button type="submit" form="op.logoutForm">Stay signed in</button>`);
}

export async function postLogoutSuccessSource(ctx) {
  ctx.body = page('Signed out', '<p>You are signed out.</p>');
}
