/**
 * Reading a plan file: bytes → text (text.ts) → YAML document with positions (yaml.ts) →
 * structure checked by the schema (structure.ts), every problem pinned to the line and column of
 * the node it is about (the key itself for unknown keys, the parent key for missing ones).
 * load.ts runs these steps and then the compiler.
 */
export { checkPlanText, decodePlanBytes, MAX_PLAN_BYTES } from './text';
export { type Locator, MAX_ALIAS_COUNT, type ParsedYaml, parseYaml, type PathSegment, TOO_DEEP } from './yaml';
export { checkStructure, describePath, MAX_ITEMS } from './structure';
