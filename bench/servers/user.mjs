// The one user every bench server answers GetUser with, from memory: the same JSON over HTTP and
// the same message over gRPC, so every server under test sends (about) the same bytes.
export const USER_ID = '01900000-0000-7000-8000-000000000001';

const CREATED = Date.parse('2026-01-01T00:00:00.000Z');

export const USER_JSON = {
  id: USER_ID,
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  age: 36,
  createdAt: new Date(CREATED).toISOString(),
  updatedAt: new Date(CREATED).toISOString(),
};

const timestamp = { seconds: CREATED / 1000, nanos: 0 };
export const USER_MESSAGE = {
  id: USER_ID,
  name: USER_JSON.name,
  email: USER_JSON.email,
  age: USER_JSON.age,
  createTime: timestamp,
  updateTime: timestamp,
};

/** Parses the port argument the runner passes (`--http-port N`, `--grpc-port N`). */
export function portArg(name) {
  const index = process.argv.indexOf(`--${name}-port`);
  return index === -1 ? undefined : Number(process.argv[index + 1]);
}
