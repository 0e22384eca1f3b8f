import { Injectable } from '@nestjs/common';
import { asc, eq, gt } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { DatabaseClient } from '../../core/database/database.client';
import { DatabaseBreaker } from '../../core/database/database.breaker';
import { New{{Name}}, {{Name}}, {{Name}}Changes } from './{{name-kebab}}.model';
import { {{names}} } from './{{names-kebab}}.schema';

/** The persistence port of the {{namesText}} feature (a fake stands in for it in unit specs). */
export abstract class {{Names}}Repository {
  abstract insert(input: New{{Name}}): Promise<{{Name}}>;
  abstract findById(id: string): Promise<{{Name}} | undefined>;
  /** {{NamesText}} in creation order, strictly after `afterId` when given. */
  abstract list(limit: number, afterId?: string): Promise<{{Name}}[]>;
  abstract update(id: string, changes: {{Name}}Changes): Promise<{{Name}} | undefined>;
  abstract delete(id: string): Promise<boolean>;
}

/**
 * Every query runs through the breaker (fail fast while the database is away) and on
 * `database.db`, which is the ambient transaction when an idempotent write opened one.
 */
@Injectable()
export class Drizzle{{Names}}Repository extends {{Names}}Repository {
  constructor(
    private readonly database: DatabaseClient,
    private readonly breaker: DatabaseBreaker,
  ) {
    super();
  }

  async insert(input: New{{Name}}): Promise<{{Name}}> {
    // UUIDv7 ids are time-ordered, so ordering by id is ordering by creation (keyset paging).
    const rows = await this.breaker.run(() =>
      this.database.db
        .insert({{names}})
        .values({ id: uuidv7(), ...input })
        .returning(),
    );
    return rows[0]!;
  }

  async findById(id: string): Promise<{{Name}} | undefined> {
    const rows = await this.breaker.run(() =>
      this.database.db.select().from({{names}}).where(eq({{names}}.id, id)).limit(1),
    );
    return rows[0];
  }

  async list(limit: number, afterId?: string): Promise<{{Name}}[]> {
    return this.breaker.run(() =>
      this.database.db
        .select()
        .from({{names}})
        .where(afterId ? gt({{names}}.id, afterId) : undefined)
        .orderBy(asc({{names}}.id))
        .limit(limit),
    );
  }

  async update(id: string, changes: {{Name}}Changes): Promise<{{Name}} | undefined> {
    const rows = await this.breaker.run(() =>
      this.database.db
        .update({{names}})
        .set({ ...changes, updatedAt: new Date() })
        .where(eq({{names}}.id, id))
        .returning(),
    );
    return rows[0];
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.breaker.run(() =>
      this.database.db.delete({{names}}).where(eq({{names}}.id, id)).returning({ id: {{names}}.id }),
    );
    return rows.length > 0;
  }
}
