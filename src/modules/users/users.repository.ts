import { Injectable } from '@nestjs/common';
import { asc, eq, gt } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { DatabaseClient } from '../../core/database/database.client';
import { DatabaseBreaker } from '../../core/database/database.breaker';
import { isUniqueViolation } from '../../core/database/database.errors';
import { NewUser, User, UserChanges } from './user.model';
import { UserEmailTakenError } from './users.errors';
import { users } from './users.schema';

/** The persistence port of the users feature (a fake stands in for it in unit specs). */
export abstract class UsersRepository {
  abstract insert(user: NewUser): Promise<User>;
  abstract findById(id: string): Promise<User | undefined>;
  /** Users in creation order, strictly after `afterId` when given. */
  abstract list(limit: number, afterId?: string): Promise<User[]>;
  abstract update(id: string, changes: UserChanges): Promise<User | undefined>;
  abstract delete(id: string): Promise<boolean>;
}

@Injectable()
export class DrizzleUsersRepository extends UsersRepository {
  constructor(
    private readonly database: DatabaseClient,
    private readonly breaker: DatabaseBreaker,
  ) {
    super();
  }

  async insert(user: NewUser): Promise<User> {
    // UUIDv7 ids are time-ordered, so ordering by id is ordering by creation (keyset paging).
    const rows = await this.run(
      () =>
        this.database.db
          .insert(users)
          .values({ id: uuidv7(), ...user })
          .returning(),
      user.email,
    );
    return rows[0]!;
  }

  async findById(id: string): Promise<User | undefined> {
    const rows = await this.run(() => this.database.db.select().from(users).where(eq(users.id, id)).limit(1));
    return rows[0];
  }

  async list(limit: number, afterId?: string): Promise<User[]> {
    return this.run(() =>
      this.database.db
        .select()
        .from(users)
        .where(afterId ? gt(users.id, afterId) : undefined)
        .orderBy(asc(users.id))
        .limit(limit),
    );
  }

  async update(id: string, changes: UserChanges): Promise<User | undefined> {
    const rows = await this.run(
      () =>
        this.database.db
          .update(users)
          .set({ ...changes, updatedAt: new Date() })
          .where(eq(users.id, id))
          .returning(),
      changes.email,
    );
    return rows[0];
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.run(() =>
      this.database.db.delete(users).where(eq(users.id, id)).returning({ id: users.id }),
    );
    return rows.length > 0;
  }

  private async run<T>(query: () => Promise<T>, email?: string): Promise<T> {
    try {
      return await this.breaker.run(query);
    } catch (error) {
      if (email !== undefined && isUniqueViolation(error, 'users_email_unique')) throw new UserEmailTakenError(email);
      throw error;
    }
  }
}
