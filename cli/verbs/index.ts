import type { Command } from 'commander';
import { register as preview } from './preview';
import { register as validate } from './validate';

/** One file per verb; each exports `register(program)`. Add new verbs here. */
export const verbs: Array<(program: Command) => void> = [validate, preview];
