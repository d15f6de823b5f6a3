/**
 * The admin panel's one stylesheet: system fonts, a calm palette, a sidebar
 * that becomes a top bar on narrow screens. No build step, no framework.
 */
export const STYLESHEET = `
:root {
  --bg: #f5f6f8; --panel: #fff; --ink: #1d2330; --muted: #5f6b7a; --line: #dfe3ea;
  --accent: #2456c7; --accent-ink: #fff; --accent-soft: #e8eefc;
  --danger: #b42318; --danger-soft: #fdecea; --ok: #067647; --ok-soft: #e7f6ee; --warn: #93540b; --warn-soft: #fef4e4;
  --radius: 8px; --shadow: 0 1px 2px rgba(16,24,40,.06), 0 1px 3px rgba(16,24,40,.08);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: grid; grid-template-columns: 220px 1fr; grid-template-rows: auto 1fr; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.topbar { grid-column: 1 / -1; display: flex; align-items: center; gap: 1rem; padding: .6rem 1.25rem;
  background: #111827; color: #e5e7eb; }
.topbar .brand { color: #fff; font-weight: 650; letter-spacing: .01em; }
.topbar .who { margin-left: auto; display: flex; align-items: center; gap: .75rem; font-size: .9rem; }
.topbar form { margin: 0; }
.topbar button { background: transparent; color: #e5e7eb; border: 1px solid #4b5563; padding: .25rem .7rem; }
.topbar button:hover { background: #1f2937; }
nav.side { padding: 1rem .75rem; border-right: 1px solid var(--line); background: var(--panel); }
nav.side h2 { font-size: .75rem; text-transform: uppercase; letter-spacing: .08em; color: var(--muted); margin: .75rem .5rem .35rem; }
nav.side a { display: block; padding: .4rem .6rem; border-radius: 6px; color: var(--ink); }
nav.side a:hover { background: var(--bg); text-decoration: none; }
nav.side a[aria-current="page"] { background: var(--accent-soft); color: var(--accent); font-weight: 600; }
main { padding: 1.5rem 2rem 3rem; min-width: 0; max-width: 1400px; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
.lead { color: var(--muted); margin: 0 0 1.25rem; }
.head { display: flex; flex-wrap: wrap; align-items: center; gap: .75rem; margin-bottom: 1rem; }
.head h1 { margin-right: auto; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); box-shadow: var(--shadow); padding: 1rem 1.25rem; margin-bottom: 1rem; }
.flash { padding: .7rem 1rem; border-radius: var(--radius); margin-bottom: 1rem; border: 1px solid; }
.flash.success { background: var(--ok-soft); color: var(--ok); border-color: #abefc6; }
.flash.error { background: var(--danger-soft); color: var(--danger); border-color: #fecdca; }
.flash.info { background: var(--accent-soft); color: var(--accent); border-color: #c7d7fe; }
.flash.warning { background: var(--warn-soft); color: var(--warn); border-color: #fedf89; }
.flash ul { margin: .35rem 0 0; padding-left: 1.2rem; }
button, .button { display: inline-flex; align-items: center; gap: .35rem; font: inherit; font-size: .93rem; cursor: pointer;
  padding: .45rem .9rem; border-radius: 6px; border: 1px solid var(--line); background: var(--panel); color: var(--ink); text-decoration: none; }
button:hover, .button:hover { background: var(--bg); text-decoration: none; }
.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-ink); }
.primary:hover { background: #1b45a5; }
.danger { color: var(--danger); border-color: #fecdca; }
.danger.solid { background: var(--danger); color: #fff; border-color: var(--danger); }
.danger:hover { background: var(--danger-soft); }
.danger.solid:hover { background: #912018; }
input, select, textarea { font: inherit; color: inherit; padding: .42rem .6rem; border: 1px solid #c9d0da; border-radius: 6px; background: #fff; width: 100%; }
input:focus, select:focus, textarea:focus, button:focus-visible, a:focus-visible { outline: 3px solid #b4c6f8; outline-offset: 1px; border-color: var(--accent); }
input[type=checkbox] { width: auto; }
textarea { min-height: 5rem; resize: vertical; }
label { font-weight: 600; font-size: .9rem; }
.toolbar { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.toolbar input[type=search] { width: 18rem; max-width: 100%; }
details.filters summary { cursor: pointer; font-weight: 600; }
.filter-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: .6rem 1rem; margin-top: .75rem; }
.filter-row { display: grid; grid-template-columns: 8rem 1fr 1fr; gap: .4rem; align-items: center; }
.filter-row label { font-weight: 500; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.chips { display: flex; flex-wrap: wrap; gap: .4rem; margin: .25rem 0 .75rem; }
.chip { display: inline-flex; gap: .4rem; align-items: center; background: var(--accent-soft); color: var(--accent); border-radius: 999px; padding: .15rem .7rem; font-size: .88rem; }
.chip a { color: inherit; font-weight: 700; }
.table-wrap { overflow-x: auto; background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); box-shadow: var(--shadow); }
table { border-collapse: collapse; width: 100%; font-size: .93rem; }
th, td { padding: .5rem .75rem; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
td.text { white-space: normal; max-width: 28rem; overflow-wrap: anywhere; }
th { background: #f9fafb; font-weight: 600; color: var(--muted); position: sticky; top: 0; }
th a { color: inherit; }
th a.sorted { color: var(--ink); }
tbody tr:hover { background: #f8faff; }
tbody tr:last-child td { border-bottom: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.check, th.check { width: 2.5rem; }
.empty { padding: 2rem; text-align: center; color: var(--muted); }
.pager { display: flex; justify-content: space-between; align-items: center; margin-top: .75rem; color: var(--muted); }
.pager .disabled { visibility: hidden; }
.bulk { display: flex; gap: .5rem; align-items: center; margin: .75rem 0; }
form.record { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 1rem 1.5rem; }
.field { display: flex; flex-direction: column; gap: .25rem; }
.field.wide { grid-column: 1 / -1; }
.field .help { color: var(--muted); font-size: .82rem; }
.field .error { color: var(--danger); font-size: .85rem; font-weight: 600; }
.field.has-error input, .field.has-error select, .field.has-error textarea { border-color: var(--danger); background: #fffafa; }
.field .static { padding: .42rem 0; font-variant-numeric: tabular-nums; }
.reference { display: grid; grid-template-columns: 1fr auto; gap: .25rem .6rem; align-items: center; }
.reference .reference-id, .reference .reference-field { grid-column: 1; }
.reference-field { position: relative; }
.reference-label { grid-column: 2; font-size: .88rem; color: var(--muted); white-space: nowrap; }
.reference-label.missing { color: var(--danger); }
.reference .lookup-link { grid-column: 1 / -1; font-size: .85rem; }
.reference-options { position: absolute; top: 100%; left: 0; right: 0; z-index: 5; margin: .15rem 0 0; padding: .25rem 0; list-style: none;
  background: var(--panel); border: 1px solid var(--line); border-radius: 6px; box-shadow: var(--shadow); max-height: 18rem; overflow-y: auto; }
.reference-options li { padding: .35rem .7rem; cursor: pointer; }
.reference-options li[aria-selected="true"] { background: var(--accent-soft); color: var(--accent); }
.reference-options li.note { cursor: default; color: var(--muted); font-size: .85rem; }
.required::after { content: " *"; color: var(--danger); }
.actions { grid-column: 1 / -1; display: flex; flex-wrap: wrap; gap: .5rem; padding-top: .75rem; border-top: 1px solid var(--line); }
.actions .spacer { margin-left: auto; }
.protected-note { align-self: center; font-size: .88rem; max-width: 32rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 1rem; }
.cards .panel h2 { margin: 0 0 .25rem; font-size: 1.1rem; }
.cards .panel p { color: var(--muted); margin: 0 0 .75rem; min-height: 2.5em; }
.login { grid-column: 1 / -1; display: grid; place-items: center; padding: 3rem 1rem; }
.login .panel { width: 100%; max-width: 380px; padding: 1.5rem; }
.login form { display: grid; gap: .8rem; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .8rem; background: var(--bg); border: 1px solid var(--line); }
.badge.yes { background: var(--ok-soft); color: var(--ok); border-color: #abefc6; }
.badge.no { background: var(--danger-soft); color: var(--danger); border-color: #fecdca; }
.conflicts-wrap { margin-top: .5rem; }
.conflicts td, .conflicts th { white-space: normal; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
dl.summary dt { color: var(--muted); }
dl.summary dd { margin: 0; }
.muted { color: var(--muted); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 800px) {
  body { grid-template-columns: 1fr; }
  nav.side { border-right: 0; border-bottom: 1px solid var(--line); display: flex; flex-wrap: wrap; gap: .25rem; padding: .5rem; }
  nav.side h2 { display: none; }
  main { padding: 1rem; }
  .filter-row { grid-template-columns: 1fr 1fr; }
  .filter-row label { grid-column: 1 / -1; }
}
`;
