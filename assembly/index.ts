// The agent module's entry: everything exported from build/agent.wasm (docs/abi.md lists the exports).
export { abort } from "./host";
