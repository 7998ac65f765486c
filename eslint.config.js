// Type-aware lint rules for the whole project, plus the core's purity rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'dist/', 'coverage/', '.kms-data/', '.build/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.cjs', '*.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Ports are async by contract; adapters over synchronous libraries (graphene, noble) keep the
      // async signature without awaiting anything.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    files: ['src/core/**/*.ts', 'src/models/**/*.ts'],
    rules: {
      // The core runs anywhere JavaScript runs: web-standard globals only (dependency-cruiser keeps
      // its imports inside src/core and src/models).
      'no-restricted-globals': ['error',
        ...['Buffer', 'process', 'global', 'require', 'module', '__dirname', '__filename', 'setImmediate', 'clearImmediate']
          .map((name) => ({ name, message: 'src/core is pure: no Node.js globals.' })),
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/adapters/pkcs11/graphene.ts'],
    rules: {
      // Its values come through src/adapters/pkcs11/graphene.ts, which requires the CommonJS package
      // instead of importing it (an ES import makes Node lex each of its files at every cold start).
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: 'graphene-pk11', allowTypeImports: true, message: 'Import its values from src/adapters/pkcs11/graphene.ts.' }],
      }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // vitest's asymmetric matchers (`expect.any`, `expect.stringMatching`) are typed `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
