/**
 * The page shell every admin page shares: head, top bar with the signed-in
 * user and the sign-out button, the sidebar of models, flash messages.
 */
import { html, type SafeHtml } from './html.js';
import { SCRIPT, STYLESHEET } from './static-files.js';

export type FlashKind = 'success' | 'error' | 'info' | 'warning';

export interface Flash {
  kind: FlashKind;
  text: string;
}

export interface NavLink {
  href: string;
  label: string;
}

export interface Shell {
  title: string;
  body: SafeHtml;
  flashes?: Flash[];
  /** Signed in: the top bar shows the user and a sign-out button (a POST with this CSRF token). */
  user?: { username: string; csrf: string };
  nav?: NavLink[];
  /** The URL of the current section, to mark it in the sidebar. */
  current?: string;
}

export function renderFlashes(flashes: readonly Flash[]): SafeHtml {
  return html`${flashes.map((flash) => html`<div class="flash ${flash.kind}" role="${flash.kind === 'error' ? 'alert' : 'status'}">${flash.text}</div>`)}`;
}

export function renderPage(shell: Shell): string {
  const { user, nav } = shell;
  const topbar = html`<header class="topbar">
  <a class="brand" href="/admin/">A2Billing admin</a>
  ${
    user &&
    html`<div class="who"><span>Signed in as <strong>${user.username}</strong></span>
    <form method="post" action="/admin/logout"><input type="hidden" name="_csrf" value="${user.csrf}"><button type="submit">Sign out</button></form></div>`
  }
</header>`;
  const sidebar =
    nav &&
    html`<nav class="side" aria-label="Models">
  <h2>Manage</h2>
  <a href="/admin/"${shell.current === '/admin/' ? html` aria-current="page"` : ''}>Dashboard</a>
  ${nav.map((link) => html`<a href="${link.href}"${shell.current === link.href ? html` aria-current="page"` : ''}>${link.label}</a>`)}
</nav>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${shell.title} · A2Billing admin</title>
<link rel="stylesheet" href="${STYLESHEET.url}">
${user && html`<script src="${SCRIPT.url}" defer></script>`}
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
${topbar}
${sidebar}
<main${nav ? '' : html` class="login"`} id="main" tabindex="-1">
${renderFlashes(shell.flashes ?? [])}
${shell.body}
</main>
</body>
</html>
`.text;
}
