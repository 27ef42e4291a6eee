/**
 * The structure of a campaign plan as a zod schema: the format of single values (values.ts), the
 * schedule kinds (schedule.ts) and the plan's shape built from them (plan.ts), with the wording of
 * the newer structural messages in one table (messages.ts). parse/structure.ts checks a plan
 * against it.
 */
export * from './values';
export * from './schedule';
export * from './plan';
export { SCHEMA_MESSAGES } from './messages';
