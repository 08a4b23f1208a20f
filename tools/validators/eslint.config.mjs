// ESLint for the site's own scripts (overrides/assets/*.js, ES modules without a bundler) and their
// unit tests (tests/js/*.test.mjs, Node's own test runner). Run by python3 build.py test:
//   node tools/validators/node_modules/eslint/bin/eslint.js --config tools/validators/eslint.config.mjs
import js from "@eslint/js";

const browser = Object.fromEntries(["window", "document", "location", "history", "navigator", "localStorage", "fetch",
  "URL", "URLSearchParams", "FormData", "console", "setTimeout", "clearTimeout", "atob", "TextDecoder"].map((name) => [name, "readonly"]));
const node = Object.fromEntries(["process", "console", "URL", "Buffer"].map((name) => [name, "readonly"]));

export default [
  { ignores: ["overrides/assets/vendor/**", "tools/**", "site/**", ".site-*/**"] },
  {
    files: ["overrides/assets/*.js"],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: browser },
  },
  {
    files: ["overrides/assets/*.js"],
    rules: { "no-unused-vars": ["error", { args: "none", caughtErrors: "none" }], "eqeqeq": "error", "no-var": "off" },
  },
  {
    files: ["tests/js/*.test.mjs"],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: node },
  },
];
