/**
 * Everything generated code may import from the runtime, in one place: types
 * only. generated/ depends on this module alone; the runtime never imports
 * generated/ (its entry point receives the models as an argument).
 */
export type { DatabaseName, Row, SqlValue, Statement } from './db/db.js';
export type { ColumnSpec, KeyValues, ResourceModel } from './store/model.js';
