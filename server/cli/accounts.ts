/**
 * `viva users` and `viva token`: accounts from the command line, on the server's database (`VIVA_DATA_DIR`). Works while
 * the server runs (SQLite lets both write). A token is printed once, on the last line, and stored only as its hash.
 */
import { parseArgs } from 'node:util';
import { createAuthStore, AuthError, USER_ROLES, type AuthStore, type UserRole } from '../auth/auth-store.ts';
import { createDatabase } from '../store/database.ts';
import { dataPaths } from '../store/paths.ts';

/** Where the commands write and read, and the data folder (tests inject; default the process's and `VIVA_DATA_DIR`). */
export interface AccountsCliDeps {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  dataDir: string;
  /** The password source: `--password-stdin` reads it from here; otherwise it is asked on the terminal. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

export const USERS_USAGE = `Usage: viva users add NAME --role admin|recruiter|interviewer [--password-stdin]
       viva users list
       viva users password NAME [--password-stdin]
       viva users disable NAME | viva users enable NAME

  add     creates a user; the password (12+ characters) is asked twice, or read from stdin with --password-stdin
  list      shows every user and their role
  password  sets a new password (and signs the user out everywhere)
  disable   stops a user signing in; their sessions end and their API tokens stop working (enable undoes it)
`;

export const TOKEN_USAGE = `Usage: viva token create --name NAME [--user USER]
       viva token list [--user USER]
       viva token revoke ID

  create  prints a new API token on its last line (shown once; send it as "Authorization: Bearer TOKEN", or as
          auth: { token } in a Socket.IO handshake); --user defaults to the first admin
  list    shows tokens (id, name, user, created, revoked)
  revoke  stops a token from working
`;

function withStore<T>(dataDir: string, run: (store: AuthStore) => Promise<T>): Promise<T> {
  const db = createDatabase(dataPaths(dataDir).dbPath);
  return run(createAuthStore(db)).finally(() => db.close());
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Asks for a line on the terminal without echoing it. */
async function askHidden(question: string, deps: AccountsCliDeps): Promise<string> {
  const { createInterface } = await import('node:readline');
  const input = deps.stdin ?? process.stdin;
  const muted = { write: (text: string) => (text.includes(question) ? process.stderr.write(text) : true) };
  const rl = createInterface({ input, output: muted as unknown as NodeJS.WritableStream, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
    deps.stderr.write('\n');
  }
}

async function password(deps: AccountsCliDeps, fromStdin: boolean): Promise<string | undefined> {
  const input = deps.stdin ?? process.stdin;
  if (fromStdin) return readAll(input);
  if (!input.isTTY) {
    deps.stderr.write('viva users: no terminal to ask the password on: pipe it in with --password-stdin\n');
    return undefined;
  }
  const first = await askHidden('Password: ', deps);
  const second = await askHidden('Password again: ', deps);
  if (first !== second) {
    deps.stderr.write('viva users: the passwords differ\n');
    return undefined;
  }
  return first;
}

/** `viva users ...`; resolves the exit code (0 ok, 1 failed, 2 usage). */
export async function runUsers(argv: string[], deps: AccountsCliDeps): Promise<number> {
  const [action, ...rest] = argv;
  if (action === 'list') {
    return withStore(deps.dataDir, async (store) => {
      for (const user of store.listUsers()) deps.stdout.write(`${user.name}\t${user.role}\t${new Date(user.createdAtMs).toISOString()}\n`);
      return 0;
    });
  }
  if (action === 'disable' || action === 'enable') {
    const [name, ...extra] = rest;
    if (!name || extra.length > 0) {
      deps.stderr.write(`viva users ${action}: give one NAME\n\n${USERS_USAGE}`);
      return 2;
    }
    return withStore(deps.dataDir, async (store) => {
      if (store.setDisabled(name, action === 'disable')) return 0;
      deps.stderr.write(`viva users ${action}: no user named "${name}"\n`);
      return 1;
    });
  }
  if (action === 'password') return changePassword(rest, deps);
  if (action !== 'add') {
    (action === undefined || action === '--help' || action === '-h' ? deps.stdout : deps.stderr).write(USERS_USAGE);
    return action === '--help' || action === '-h' ? 0 : 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: { role: { type: 'string' }, 'password-stdin': { type: 'boolean' } } });
  } catch (error) {
    deps.stderr.write(`viva users add: ${(error as Error).message}\n\n${USERS_USAGE}`);
    return 2;
  }
  const [name] = parsed.positionals;
  const role = parsed.values.role as UserRole | undefined;
  if (!name || parsed.positionals.length > 1 || !role || !USER_ROLES.includes(role)) {
    deps.stderr.write(`viva users add: give one NAME and --role ${USER_ROLES.join('|')}\n\n${USERS_USAGE}`);
    return 2;
  }
  const secret = await password(deps, parsed.values['password-stdin'] === true);
  if (secret === undefined) return 1;
  return withStore(deps.dataDir, async (store) => {
    try {
      const user = await store.createUser({ name, role, password: secret });
      deps.stdout.write(`created ${user.role} "${user.name}"\n`);
      return 0;
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      deps.stderr.write(`viva users add: ${error.message}\n`);
      return 1;
    }
  });
}

/** `viva users password NAME`. */
async function changePassword(argv: string[], deps: AccountsCliDeps): Promise<number> {
  const fromStdin = argv.includes('--password-stdin');
  const names = argv.filter((arg) => arg !== '--password-stdin');
  const [name] = names;
  if (!name || names.length > 1) {
    deps.stderr.write(`viva users password: give one NAME\n\n${USERS_USAGE}`);
    return 2;
  }
  const secret = await password(deps, fromStdin);
  if (secret === undefined) return 1;
  return withStore(deps.dataDir, async (store) => {
    try {
      if (await store.setPassword(name, secret)) return 0;
      deps.stderr.write(`viva users password: no user named "${name}"\n`);
      return 1;
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      deps.stderr.write(`viva users password: ${error.message}\n`);
      return 1;
    }
  });
}

/** `viva token ...`; resolves the exit code. */
export async function runToken(argv: string[], deps: AccountsCliDeps): Promise<number> {
  const [action, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: { name: { type: 'string' }, user: { type: 'string' } } });
  } catch (error) {
    deps.stderr.write(`viva token: ${(error as Error).message}\n\n${TOKEN_USAGE}`);
    return 2;
  }
  const { name, user: userName } = parsed.values;
  if (action === 'create' && name && parsed.positionals.length === 0) {
    return withStore(deps.dataDir, async (store) => {
      const user = userName ? store.findUser(userName) : store.listUsers().find((candidate) => candidate.role === 'admin');
      if (!user) {
        deps.stderr.write(userName ? `viva token create: no user named "${userName}"\n` : 'viva token create: no admin yet: run `viva users add NAME --role admin` first\n');
        return 1;
      }
      const created = store.createToken(user.id, name);
      deps.stdout.write(`API token "${name}" for ${user.name} (${user.role}), id ${created.id}; shown only now:\n${created.token}\n`);
      return 0;
    });
  }
  if (action === 'list' && parsed.positionals.length === 0) {
    return withStore(deps.dataDir, async (store) => {
      const owner = userName ? store.findUser(userName) : undefined;
      for (const token of store.listTokens(owner?.id)) {
        const revoked = token.revokedAtMs === null ? '' : `\trevoked ${new Date(token.revokedAtMs).toISOString()}`;
        deps.stdout.write(`${token.id}\t${token.name}\t${store.getUser(token.userId)?.name ?? token.userId}\t${new Date(token.createdAtMs).toISOString()}${revoked}\n`);
      }
      return 0;
    });
  }
  const [id] = parsed.positionals;
  if (action === 'revoke' && id && parsed.positionals.length === 1) {
    return withStore(deps.dataDir, async (store) => {
      if (store.revokeToken(id)) return 0;
      deps.stderr.write(`viva token revoke: no active token ${id}\n`);
      return 1;
    });
  }
  const help = action === '--help' || action === '-h';
  (help ? deps.stdout : deps.stderr).write(TOKEN_USAGE);
  return help ? 0 : 2;
}
