import { defineConfig } from 'drizzle-kit';

// Offline migration generation: `npm run db:generate` diffs the schema against drizzle/.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/modules/*/*.schema.ts',
  out: './drizzle',
});
