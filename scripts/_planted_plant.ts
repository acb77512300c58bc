/** One planted bug as a value: the constructor the sample files share (types in _planted_sample.ts). */

import type { Area, Plant } from "./_planted_sample.ts";

export const p = (id: string, area: Area, file: string, find: string, replace: string, bug: string): Plant => ({
  id,
  area,
  file,
  find,
  replace,
  bug,
});
