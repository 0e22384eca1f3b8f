import { defineConfig } from 'drizzle-kit';

// Offline migration generation: `npm run db:generate` diffs the schema against drizzle/.
export default defineConfig({
  dialect: 'postgresql',
  schema: ['./src/core/*/*.schema.ts', './src/modules/*/*.schema.ts'],
  out: './drizzle',
});
