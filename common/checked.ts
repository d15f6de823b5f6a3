/** The outcome of checking one value against its column's rule: the value to bind in SQL, or why it is refused. */
export type Checked = { ok: true; value: string | number | Uint8Array } | { ok: false; message: string };
