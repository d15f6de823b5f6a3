/**
 * Everything generated code may import from the runtime, in one place.
 * generated/ depends on this module only; the runtime never imports generated/.
 */
export type { Db, Row, SqlValue } from './db/db.js';
export type { ColumnSpec, ResourceModule, ResourceSpec, RouteContext } from './api/resource.js';
export type { ListQuery } from './api/list-query.js';
export { parseListQuery } from './api/list-query.js';
export { listPage, type ListPage } from './api/list-page.js';
export { allowOnly, found, notFound, primaryKeyOf, rawQuery, writeContext } from './api/route-support.js';
export type { Adjustment, TableQueries } from './api/table.js';
export { adjustColumn, createRow, deleteRow, updateRow } from './api/writes.js';
export { ifMatchCondition, sendEtag } from './api/etag.js';
export { sqlDialect } from './sql/dialect.js';
export { decimalToNumber, floatToNumber, zeroDateToNull } from './values/decoders.js';
