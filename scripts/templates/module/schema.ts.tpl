import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const {{names}} = pgTable('{{names_snake}}', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

export type {{Name}}Row = typeof {{names}}.$inferSelect;
