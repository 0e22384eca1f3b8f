import { index, json, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** One row per completed idempotent request, written in the same transaction as its write. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    key: text('key').primaryKey(),
    /** A hash of the caller's credentials ('anonymous' without any). */
    caller: text('caller').notNull(),
    /** e.g. `POST /users` or `/user.v1.UserService/CreateUser`. */
    operation: text('operation').notNull(),
    requestHash: text('request_hash').notNull(),
    outcome: text('outcome', { enum: ['ok', 'error'] }).notNull(),
    /**
     * The handler's response (ok) or `{ code, message }` (error). `json`, not `jsonb`: a replay
     * must return the body byte for byte, key order included.
     */
    response: json('response'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [index('idempotency_keys_expires_at_idx').on(table.expiresAt)],
);
