import { resolve } from 'node:path';

/** src/ and dist/ sit at the same depth, so this resolves from both. */
export const PROTO_ROOT = resolve(__dirname, '../../../proto');

/**
 * proto-loader options shared by the server, the test clients and the benchmarks: camelCase
 * fields, int64 as numbers, zero values present (so "" is a validation error, not a missing
 * field), and proto3 `optional` fields absent unless set. Free of Nest imports, so the bare
 * benchmark baselines can load it from dist/ too.
 */
export const PROTO_LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: false,
  includeDirs: [PROTO_ROOT],
};
