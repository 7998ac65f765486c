/**
 * Layering of the service. The pure core and the generated models know nothing of the outside
 * world; protocol codecs and authentication sit on them; adapters implement the core's ports; the
 * pipeline is composed from all of them only in `composition/`, which local mode and the Lambda
 * entry points use.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'src/core and src/models import only each other: no SDK, PKCS#11, HTTP, middy or Node built-ins.',
      severity: 'error',
      from: { path: '^src/(core|models)/' },
      to: { pathNot: '^src/(core|models)/' },
    },
    {
      name: 'protocol-and-authn-sit-on-the-core',
      comment: 'Codecs and SigV4 verification use the core and the models, never adapters or the pipeline.',
      severity: 'error',
      from: { path: '^src/(protocol|authn)/' },
      to: { path: '^src/(adapters|pipeline|composition|local)/' },
    },
    {
      name: 'adapters-implement-ports',
      comment: 'Adapters implement core ports; they do not reach into the pipeline, composition or local mode.',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: '^src/(pipeline|composition|local|authn)/' },
    },
    {
      name: 'pipeline-is-composed-elsewhere',
      comment: 'The request pipeline receives its adapters; only composition/ and local/ choose them.',
      severity: 'error',
      from: { path: '^src/pipeline/' },
      to: { path: '^src/(adapters|composition|local)/' },
    },
    {
      name: 'local-mode-is-a-leaf',
      comment: 'Nothing but local mode, scripts and tests depends on local mode.',
      severity: 'error',
      from: { path: '^(src/(?!local/)|functions/|lib/)' },
      to: { path: '^src/local/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-test-code-in-the-service',
      severity: 'error',
      from: { path: '^(src|functions|lib)/' },
      to: { path: '^(test|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
