/**
 * The structure of a campaign plan as a zod schema: the format of single values (values.ts), the
 * schedule kinds (schedule.ts), time zone names (timezones.ts) and the plan's shape built from them
 * (plan.ts); their wording is in messages/ (values.ts, shape.ts). parse/structure.ts checks a plan
 * against it.
 */
export * from './values';
export * from './schedule';
export * from './plan';
export { canonicalZone } from './timezones';
