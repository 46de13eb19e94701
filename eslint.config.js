import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Files matching `files` may not import from the folders named in `above`. */
function layer(files, above) {
  const group = above.flatMap((folder) => [`../${folder}`, `**/../${folder}`, `../${folder}/**`, `**/../${folder}/**`]);
  const message = `${files.split('/')[0]}/ is below ${above.join(', ')}: it may not import from them (README, "Layers").`;
  return { files: [files], rules: { 'no-restricted-imports': ['error', { patterns: [{ group, message }] }] } };
}

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', 'data/', 'coverage/', 'test/artefacts/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['ui/assets/**/*.mjs'],
    languageOptions: {
      globals: { document: 'readonly', window: 'readonly', setTimeout: 'readonly', EventSource: 'readonly' },
    },
  },
  // The layers, bottom up (README, "Layers"): rules/ (the domain's words, shapes and rules) → workflows/ and
  // activities/ → api/ → ui/ → scripts/ (the composition root and the processes). Nothing imports upwards.
  layer('rules/**', ['workflows', 'activities', 'api', 'ui', 'scripts']),
  layer('workflows/**', ['api', 'ui', 'scripts']),
  layer('activities/**', ['api', 'ui', 'scripts']),
  layer('api/**', ['ui', 'scripts']),
  layer('ui/**', ['scripts']),
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // The browser's old URL-encoding globals, which a missing import of our own `escapeHtml` would silently call.
      'no-restricted-globals': ['error', 'escape', 'unescape'],
    },
  },
);
