/**
 * `?field__regexp=…`: the one regular-expression syntax a2gen accepts, on
 * every database. A pattern must compile with RE2 (re2js, a pure-JS port of
 * Google's RE2: matching takes time linear in the text, whatever the
 * pattern) and stay under the size limits below; anything else is a 400
 * naming the field, before any SQL runs. SQLite matches with that compiled
 * program; MySQL and MariaDB run their own engine (ICU, PCRE2) on the same
 * pattern, bounded there by the server-side statement time limit instead.
 */
import { RE2JS } from 're2js';

/** The longest pattern accepted, in characters. */
export const MAX_PATTERN_LENGTH = 1000;
/**
 * The largest compiled program accepted, in RE2 instructions. Matching costs
 * up to this many steps per character of text (`(a?){200}a{200}`, 1,002
 * instructions, takes ~3 ms over a 10,000-character value): the limit keeps
 * every single value's match short. Ordinary filters are far below it:
 * `^(0049|0033)[0-9]{6,}$` is 26.
 */
export const MAX_PROGRAM_SIZE = 1000;

/** How the filters spell a regexp condition, and how the drivers recognise a statement that has one. */
const REGEXP_OPERATOR = ' REGEXP ';

/** `target REGEXP ?`: the pattern is always a parameter. */
export function regexpCondition(target: string): string {
  return `${target}${REGEXP_OPERATOR}?`;
}

/**
 * The statement filters by a regular expression: the one kind of list query
 * whose cost per row the client chooses, run under the drivers' fairness
 * limits (see FairGate).
 */
export function hasRegexp(sql: string): boolean {
  return sql.includes(REGEXP_OPERATOR);
}

/** A pattern a2gen refuses, with the reason in words. */
export class RefusedPattern extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedPattern';
  }
}

/** Compiled patterns, oldest dropped first: a list query calls the SQL function once per row. */
const compiled = new Map<string, RE2JS>();
const CACHE_SIZE = 200;

/** The pattern compiled with RE2, or a RefusedPattern saying why not. */
export function compileRegexp(pattern: string): RE2JS {
  const cached = compiled.get(pattern);
  if (cached !== undefined) return cached;
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new RefusedPattern(`is longer than ${MAX_PATTERN_LENGTH} characters`);
  }
  let program: RE2JS;
  try {
    program = RE2JS.compile(pattern);
  } catch (error) {
    // "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"
    const reason = (error as Error).message
      .replace(/^error parsing regexp: /, '')
      // RE2 reads `(?<=` and `(?<!` as a named group gone wrong.
      .replace(/^invalid named capture: (`\(\?<[=!])/, 'lookbehind is not supported: $1')
      .replace('invalid or unsupported Perl syntax', 'lookaround, atomic groups and the like are not supported');
    throw new RefusedPattern(`is not a regular expression a2gen runs (RE2): ${reason}`);
  }
  if (program.programSize() > MAX_PROGRAM_SIZE) {
    throw new RefusedPattern(
      `is too complex (${program.programSize()} RE2 instructions, at most ${MAX_PROGRAM_SIZE}): use fewer or smaller repetitions`,
    );
  }
  if (compiled.size >= CACHE_SIZE) compiled.delete(compiled.keys().next().value!);
  compiled.set(pattern, program);
  return program;
}

/** Why `pattern` is refused, or undefined when it is accepted. */
export function regexpProblem(pattern: string): string | undefined {
  try {
    compileRegexp(pattern);
    return undefined;
  } catch (error) {
    if (error instanceof RefusedPattern) return error.message;
    throw error;
  }
}
