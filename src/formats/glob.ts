/**
 * Globs as upstream's Rust `glob` crate reads them, for initrd member paths and GPT partition
 * labels alike: `*` also matches `/`, `?` one character, `[...]` / `[!...]` a class. What that
 * crate rejects (`***`, `**` inside a path component, an unclosed `[`) is a usage error.
 */
import { UsageError } from '../errors.js';

/**
 * The anchored regular expression for a glob. `what` names the glob in the error message
 * (`couldn't parse <what> '<pattern>'`).
 */
export function globToRegExp(pattern: string, what = 'glob'): RegExp {
  const bad = () => new UsageError(`couldn't parse ${what} '${pattern}'`);
  let re = '^';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '*') {
      let n = 0;
      while (pattern[i + n] === '*') n++;
      if (n >= 3) throw bad();
      if (n === 2) {
        // `**` is only valid as a whole path component.
        const before = i === 0 || pattern[i - 1] === '/';
        const after = i + 2 === pattern.length || pattern[i + 2] === '/';
        if (!before || !after) throw bad();
      }
      re += '.*';
      i += n;
    } else if (c === '?') {
      re += '.';
      i++;
    } else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) throw bad();
      let body = pattern.slice(i + 1, close);
      let negate = false;
      if (body.startsWith('!')) {
        negate = true;
        body = body.slice(1);
      }
      const escaped = body.replace(/[\\\]^]/g, (m) => `\\${m}`);
      re += `[${negate ? '^' : ''}${escaped}]`;
      i = close + 1;
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i++;
    }
  }
  return new RegExp(re + '$', 's');
}

/** A predicate keeping paths that match any of the globs (all paths when there are none). */
export function globFilter(globs: string[]): (path: string) => boolean {
  if (globs.length === 0) return () => true;
  const res = globs.map((g) => globToRegExp(g));
  return (p) => res.some((r) => r.test(p));
}
