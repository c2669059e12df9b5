// ESLint: type-aware typescript-eslint rules that catch bugs (floating and misused promises, unsafe
// `any`, unused code); formatting is Prettier's (`npm run format:check`), so no style rules here.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "lib/", "dist/", "coverage/", "src/config/generated/", ".deployer/", "reports/", ".stryker-tmp/"] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      // Port implementations and fakes are `async` to return promises without awaiting anything; the
      // promise rules that catch real bugs (no-floating-promises, no-misused-promises) stay on.
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // Tests read parsed JSON output (`any`) field by field; an unexpected shape fails the assertion anyway.
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
  {
    // Test fakes throw whatever a test injected, non-Error values included, to test robustness.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/only-throw-error": "off" },
  },
  {
    // The sandbox reads untyped wire JSON and compares what a client sent as text, as AWS does.
    files: ["sandbox/**/*.ts"],
    rules: { "@typescript-eslint/no-base-to-string": "off" },
  },
  {
    // These files deal in terminal escapes and control characters on purpose (escaping them, or
    // checking that they were escaped).
    files: ["src/report/escape.ts", "test/**/*.ts"],
    rules: { "no-control-regex": "off" },
  },
  {
    // Plain JavaScript (build scripts, the bin wrapper): not part of the TypeScript project.
    files: ["**/*.{js,mjs,cjs}"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", module: "writable" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
