/**
 * `campaign user …`: the people who log in to the coordinator's pages, managed on the server
 * (the same database as the portal; no Temporal needed). The rules are the store's
 * (store/accounts/): roles admin | coordinator | viewer, campaigns given to coordinators and
 * viewers, disabling or a new password ends the person's sessions at once, the last admin who
 * can log in cannot be disabled. Passwords are never arguments (user-password.ts).
 *
 *   campaign user add <login> --name 王芳 --role coordinator [--campaign shanxi-2024 …]
 *   campaign user list [--json]
 *   campaign user disable <login>        campaign user enable <login>
 *   campaign user passwd <login>
 *   campaign user grant <login> <campaign>   campaign user revoke <login> <campaign>
 */
import type { Command } from 'commander';
import type { AccountStore, Person } from '../../store/accounts/account-store';
import { terminalText } from '../terminal-text';

/** Opens the accounts on this environment's database, runs `fn`, closes; the store's refusals become user errors. */
async function withAccounts<T>(fn: (accounts: AccountStore, by: string) => Promise<T>): Promise<T> {
  const { loadEnv, openStoresFor, actor } = await import('../context');
  const { AccountStore, AccountError, WeakPasswordError } = await import('../../store/accounts/account-store');
  const { UserError } = await import('../errors');
  const stores = await openStoresFor(loadEnv());
  try {
    return await fn(new AccountStore(stores.db), actor());
  } catch (err) {
    if (err instanceof AccountError || err instanceof WeakPasswordError) throw new UserError(err.message);
    throw err;
  } finally {
    await stores.close().catch(() => undefined);
  }
}

const say = (line: string) => process.stdout.write(`${line}\n`);

function describe(p: Person): string {
  const where = p.role === 'admin' ? 'every campaign' : p.campaigns.length ? p.campaigns.join(', ') : 'no campaign yet';
  return terminalText(`${p.login} (${p.name}), ${p.role}: ${where}${p.disabledAt !== undefined ? ', DISABLED' : ''}`);
}

export function register(program: Command): void {
  const user = program
    .command('user')
    .description('the people who log in to the portal\'s coordinator pages: admin (every campaign, the accounts), coordinator (the campaigns given to them), viewer (read only)');

  user
    .command('add')
    .description('add a person; the password is asked for (or read from the first line of stdin), never given as an argument')
    .argument('<login>', 'their login: lower-case letters, digits and . _ -')
    .requiredOption('--name <name>', 'their name as shown in the pages and recorded in the audit history, e.g. 王芳')
    .requiredOption('--role <role>', 'admin | coordinator | viewer')
    .option('--campaign <id...>', 'campaigns given to a coordinator or viewer (repeat or list several)')
    .action(async (login: string, opts: { name: string; role: string; campaign?: string[] }) => {
      const { readPassword } = await import('./user-password');
      await withAccounts(async (accounts, by) => {
        const password = await readPassword(`password for ${terminalText(login)}`);
        const p = await accounts.add({ login, name: opts.name, role: opts.role, password, campaigns: opts.campaign ?? [] }, by);
        say(`added ${describe(p)}`);
      });
    });

  user
    .command('list')
    .description('everyone, with role, campaigns and whether disabled')
    .option('--json', 'print the list as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { Output, table } = await import('../context');
      await withAccounts(async (accounts) => {
        const people = await accounts.list();
        const sessions = await accounts.openSessions();
        new Output(!!opts.json).result(
          people.map((p) => ({ ...p, openSessions: sessions.get(p.login) ?? 0 })),
          () =>
            people.length
              ? table(
                  ['login', 'name', 'role', 'campaigns', 'state', 'sessions'],
                  people.map((p) =>
                    [p.login, p.name, p.role, p.role === 'admin' ? '(all)' : p.campaigns.join(' '), p.disabledAt !== undefined ? 'disabled' : 'active', String(sessions.get(p.login) ?? 0)].map(terminalText),
                  ),
                )
              : 'no accounts yet (add the first admin with: campaign user add <login> --name <name> --role admin)',
        );
      });
    });

  user
    .command('disable')
    .description('disable a person: they cannot log in, and their open sessions end at once')
    .argument('<login>')
    .action(async (login: string) => {
      await withAccounts(async (accounts) => {
        const { sessionsEnded } = await accounts.disable(login);
        say(terminalText(`disabled ${login}; ${sessionsEnded} open session(s) ended`));
      });
    });

  user
    .command('enable')
    .description('let a disabled person log in again')
    .argument('<login>')
    .action(async (login: string) => {
      await withAccounts(async (accounts) => {
        await accounts.enable(login);
        say(terminalText(`enabled ${login}`));
      });
    });

  user
    .command('passwd')
    .description('set a new password (asked for, or the first line of stdin); the person\'s open sessions end')
    .argument('<login>')
    .action(async (login: string) => {
      const { readPassword } = await import('./user-password');
      const { UserError } = await import('../errors');
      await withAccounts(async (accounts) => {
        // Told before being asked for a password it would not use.
        if (!(await accounts.get(login))) throw new UserError(`no account '${login}' (see: campaign user list)`);
        const password = await readPassword(`new password for ${terminalText(login)}`);
        const { sessionsEnded } = await accounts.setPassword(login, password);
        say(terminalText(`password of ${login} changed; ${sessionsEnded} open session(s) ended`));
      });
    });

  user
    .command('grant')
    .description('give a coordinator or viewer a campaign')
    .argument('<login>')
    .argument('<campaign>', 'the campaign id, e.g. shanxi-2024')
    .action(async (login: string, campaign: string) => {
      await withAccounts(async (accounts, by) => {
        const added = await accounts.grant(login, campaign, by);
        say(terminalText(added ? `${login} now has ${campaign}` : `${login} had ${campaign} already`));
      });
    });

  user
    .command('revoke')
    .description('take a campaign back from a coordinator or viewer')
    .argument('<login>')
    .argument('<campaign>')
    .action(async (login: string, campaign: string) => {
      await withAccounts(async (accounts) => {
        const removed = await accounts.revoke(login, campaign);
        say(terminalText(removed ? `${login} no longer has ${campaign}` : `${login} did not have ${campaign}`));
      });
    });
}
