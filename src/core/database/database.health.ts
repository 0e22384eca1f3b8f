import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DatabaseClient } from './database.client';

const PING_TIMEOUT_MS = 1_000;

@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly client: DatabaseClient,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key = 'database') {
    const indicator = this.health.check(key);
    try {
      await pingWithin(this.client, PING_TIMEOUT_MS);
      return indicator.up({ driver: this.client.driver });
    } catch (error) {
      return indicator.down({ driver: this.client.driver, message: (error as Error).message });
    }
  }
}

/** Resolves when the database answers within `timeoutMs`, rejects otherwise. */
export async function pingWithin(client: DatabaseClient, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs}ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
