// Steps `npm test` runs after the build and before the suites: each installs or builds what some suites need
// (toolchains, firmware images). Each is idempotent and quick when nothing is missing.
export const setups = [];
