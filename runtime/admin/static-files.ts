/**
 * The admin panel's stylesheet and script: plain files in
 * runtime/admin/static/ (admin.css, admin.js), read once when this module
 * loads, i.e. when the service starts. Each is served at a URL carrying a hash
 * of its contents, so browsers can cache it for good and an edit is a new URL.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * runtime/admin/static/ in the source tree. tsc does not copy these files:
 * the compiled module runs from dist/runtime/admin/, three levels below the
 * project root (the service and the tests alike), and reads them in place.
 */
const STATIC_DIR = new URL('../../../runtime/admin/static/', import.meta.url);

export interface StaticFile {
  /** Under /admin/static/, with a hash of the contents. */
  url: string;
  contentType: string;
  body: Buffer;
}

function load(name: string, extension: string, contentType: string): StaticFile {
  const file = new URL(`${name}.${extension}`, STATIC_DIR);
  let body: Buffer;
  try {
    body = readFileSync(file);
  } catch (error) {
    throw new Error(
      `The admin panel's ${fileURLToPath(file)} could not be read (it is read from the source tree, next to dist/)`,
      { cause: error },
    );
  }
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { url: `/admin/static/${name}-${hash}.${extension}`, contentType, body };
}

export const STYLESHEET = load('admin', 'css', 'text/css; charset=utf-8');

/** The one script (pickers, select-all), loaded from its URL only: the CSP allows no inline code. */
export const SCRIPT = load('admin', 'js', 'text/javascript; charset=utf-8');
