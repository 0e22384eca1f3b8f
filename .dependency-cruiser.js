/** Boundaries of the codebase (STYLE.md #14), checked in CI by `npm run deps:check`. */
module.exports = {
  forbidden: [
    {
      name: 'services-are-transport-free',
      comment: 'Services, repositories and models never import transport code.',
      severity: 'error',
      from: { path: '^src/modules/[^/]+/(?!.*\\.(http|grpc)\\.controller\\.ts$).*\\.ts$' },
      to: { path: '(node_modules/(@nestjs/microservices|@nestjs/platform-|express|fastify|@grpc/))|^src/generated/' },
    },
    {
      name: 'only-controllers-import-generated-code',
      severity: 'error',
      from: { path: '^src/', pathNot: ['\\.grpc\\.controller\\.ts$', '^src/generated/'] },
      to: { path: '^src/generated/' },
    },
    {
      name: 'modules-do-not-reach-into-each-other',
      comment: 'A feature module talks to another only through what that module exports.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/', pathNot: '^src/modules/$1/' },
    },
    {
      name: 'core-does-not-depend-on-features',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'one-place-knows-the-http-framework',
      comment: 'Only http-adapter.ts may import Express or Fastify (issue #7): the rest stays adapter-agnostic.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/core/http/http-adapter\\.ts$' },
      to: { path: 'node_modules/(express|fastify|@fastify/|@nestjs/platform-)' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.spec\\.ts$' },
  },
};
