/**
 * Canonical mappings for one partition, as upstream's packer makes them: sorted by physical
 * offset (longest first on ties), extents wholly inside an earlier one dropped (hard links and
 * the boot copies of objects map the same blocks twice), partial overlaps clamped so every
 * byte of the partition is rebuilt from at most one object.
 */
import type { Mapping } from './format.js';

export interface CanonicalStats {
  dropped: number;
  clamped: number;
}

export function canonicalizeMappings(input: readonly Mapping[]): { mappings: Mapping[]; stats: CanonicalStats } {
  const stats = { dropped: 0, clamped: 0 };
  if (input.length === 0) return { mappings: [], stats };
  const sorted = [...input].sort((a, b) => a.extent.physical - b.extent.physical || b.extent.length - a.extent.length);
  const first = sorted[0]!;
  const out: Mapping[] = [first];
  let lastEnd = first.extent.physical + first.extent.length;
  for (const m of sorted.slice(1)) {
    const end = m.extent.physical + m.extent.length;
    if (end <= lastEnd) {
      stats.dropped++;
      continue;
    }
    if (m.extent.physical < lastEnd) {
      const n = lastEnd - m.extent.physical;
      out.push({
        object: m.object,
        extent: { logical: m.extent.logical + n, physical: m.extent.physical + n, length: m.extent.length - n },
      });
      stats.clamped++;
    } else {
      out.push(m);
    }
    lastEnd = end;
  }
  return { mappings: out, stats };
}
