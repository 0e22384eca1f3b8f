import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import request from 'supertest';
import { startTestApp, TestApp } from '../support/test-app';

/** Debian's chromium package; Playwright never downloads a browser here. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = join(__dirname, '..', '..', 'test-output');

describe('Swagger UI in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} not found: install the chromium Debian package (.ci/run does) or set CHROMIUM_PATH`);
    }
    t = await startTestApp();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // No sandbox as root; no background traffic to hosts this network cannot reach.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lists the users operations and runs "try it out" against the service', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(`${t.httpUrl}/docs`);
    const users = page.locator('#operations-tag-users');
    await users.waitFor();
    const operation = (method: string, path: string) =>
      page.locator(`.opblock-${method}`).filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) });
    for (const [method, path] of [
      ['post', '/users'],
      ['get', '/users'],
      ['get', '/users/export'],
      ['get', '/users/{id}'],
      ['patch', '/users/{id}'],
      ['delete', '/users/{id}'],
    ] as const) {
      await expect(operation(method, path).count(), `${method} ${path}`).resolves.toBe(1);
    }

    // Try it out: POST /users with the example body the document provides.
    const create = operation('post', '/users');
    await create.locator('.opblock-summary').click();
    await create.getByRole('button', { name: 'Try it out' }).click();
    await create.getByRole('button', { name: 'Execute' }).click();
    const live = create.locator('.live-responses-table tbody .response');
    await live.waitFor();
    await expect(live.locator('.response-col_status').innerText()).resolves.toContain('201');
    const shown = JSON.parse(await live.locator('.highlight-code pre').first().innerText()) as {
      id: string;
      email: string;
    };
    expect(shown.email).toBe('ada@example.com');

    mkdirSync(OUTPUT, { recursive: true });
    await create.screenshot({ path: join(OUTPUT, `swagger-ui-${process.env.HTTP_ADAPTER ?? 'express'}.png`) });

    // The request really reached the service: the user exists.
    await request(t.httpUrl).get(`/users/${shown.id}`).expect(200);
    // And nothing on the page failed, Content-Security-Policy included.
    expect(problems).toEqual([]);
  });
});
