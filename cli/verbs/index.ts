import type { Command } from 'commander';
import { register as amend } from './amend';
import { register as archive } from './archive';
import { register as cancel } from './cancel';
import { register as chase } from './chase';
import { register as excuse } from './excuse';
import { register as extend } from './extend';
import { register as history } from './history';
import { register as list } from './list';
import { register as migrateData } from './migrate-data';
import { register as pause } from './pause';
import { register as portal } from './portal';
import { register as preview } from './preview';
import { register as resume } from './resume';
import { register as start } from './start';
import { register as status } from './status';
import { register as submit } from './submit';
import { register as user } from './user';
import { register as validate } from './validate';
import { register as worker } from './worker';

/** One file per verb; each exports `register(program)`. Add new verbs here. */
export const verbs: Array<(program: Command) => void> = [
  validate,
  preview,
  start,
  list,
  status,
  submit,
  excuse,
  extend,
  chase,
  amend,
  pause,
  resume,
  cancel,
  history,
  archive,
  worker,
  portal,
  user,
  migrateData,
];
