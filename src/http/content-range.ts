/**
 * The length headers of a response, checked before any body byte is used: Content-Length, and
 * for a 206 the Content-Range that says where its bytes go. A 206 must name its range and that
 * range must start where it was asked to (a resumed download appends the body at that offset),
 * whatever the verification mode: bytes written at the wrong offset are a corrupt file.
 */
import { UserError } from '../errors.js';

/** A 206 that cannot be placed: no Content-Range, another start, or impossible numbers. */
export class HttpRangeError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'HttpRangeError';
  }
}

export interface BodyExtent {
  /** Length of this body, when announced. */
  contentLength?: number;
  /** For a 206: the offset of its first byte. */
  rangeStart?: number;
  /** For a 206: the whole file's length, when given (`/*` leaves it unknown). */
  totalLength?: number;
}

function safeInteger(text: string): number | undefined {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** `Content-Length` when it is a plain non-negative integer; anything else counts as absent. */
export function parseContentLength(header: string | undefined): number | undefined {
  if (header === undefined || !/^\s*\d+\s*$/.test(header)) return undefined;
  return safeInteger(header.trim());
}

/**
 * Checks a response's length headers. `askedFrom` is the offset a `Range: bytes=N-` asked for
 * (undefined: no Range was sent, so a 206 must start at 0).
 */
export function bodyExtent(
  status: number,
  headers: { contentLength?: string; contentRange?: string },
  askedFrom: number | undefined,
): BodyExtent {
  const contentLength = parseContentLength(headers.contentLength);
  if (status !== 206) return { contentLength };
  const asked = askedFrom ?? 0;
  if (headers.contentRange === undefined) {
    throw new HttpRangeError(
      `the server answered 206 Partial Content without a Content-Range header (asked for bytes from ${asked})`,
    );
  }
  const m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(headers.contentRange);
  const first = m ? safeInteger(m[1]!) : undefined;
  const last = m ? safeInteger(m[2]!) : undefined;
  const total = m && m[3] !== '*' ? safeInteger(m[3]!) : undefined;
  const bad = (why: string) =>
    new HttpRangeError(`the server answered 206 with an unusable Content-Range '${headers.contentRange}': ${why}`);
  if (first === undefined || last === undefined || (m![3] !== '*' && total === undefined))
    throw bad('not bytes FIRST-LAST/TOTAL');
  if (last < first) throw bad('its last byte comes before its first');
  if (total !== undefined && last >= total) throw bad('it ends past the total length');
  if (contentLength !== undefined && contentLength !== last - first + 1)
    throw bad(`Content-Length is ${contentLength}`);
  if (first !== asked) {
    throw new HttpRangeError(`asked for bytes from ${asked}, the server sent bytes from ${first}`);
  }
  return { contentLength: contentLength ?? last - first + 1, rangeStart: first, totalLength: total };
}
