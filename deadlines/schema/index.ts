/**
 * The structure of a campaign plan as a zod schema: the format of single values (values.ts) and
 * the plan's shape built from them (plan.ts). parse/structure.ts checks a plan against it.
 */
export * from './values';
export * from './plan';
