import type { AllMiddlewareArgs, AnyMiddlewareArgs, App } from '@slack/bolt';

/** The part of Bolt's `App` the handler files register their listeners with. */
export type Listeners = Pick<App, 'action' | 'view' | 'command' | 'event'>;

type Listener = (args: AnyMiddlewareArgs & AllMiddlewareArgs) => Promise<void>;
type Kind = keyof Listeners;

/** The listeners of one kind, by exact name and by pattern. */
class Table {
  private readonly exact = new Map<string, Listener>();
  private readonly patterns: { pattern: RegExp; listener: Listener }[] = [];

  constructor(private readonly kind: Kind) {}

  add(name: unknown, listeners: unknown[]): void {
    const [listener] = listeners;
    if (listeners.length !== 1 || typeof listener !== 'function') {
      throw new Error(`A ${this.kind} listener takes exactly one function (no listener middleware).`);
    }
    if (typeof name === 'string') {
      if (this.exact.has(name)) throw new Error(`Two ${this.kind} listeners for "${name}".`);
      this.exact.set(name, listener as Listener);
    } else if (name instanceof RegExp) {
      this.patterns.push({ pattern: name, listener: listener as Listener });
    } else {
      throw new Error(`A ${this.kind} listener is registered by a name or a pattern, not by constraints.`);
    }
  }

  /** Fails at start when a name would reach two listeners (Bolt would have run both). */
  checkOverlaps(): void {
    for (const name of this.exact.keys()) {
      const clash = this.patterns.find(({ pattern }) => pattern.test(name));
      if (clash) throw new Error(`The ${this.kind} "${name}" also matches ${clash.pattern}.`);
    }
  }

  find(name: unknown): Listener | undefined {
    if (typeof name !== 'string') return undefined;
    return this.exact.get(name) ?? this.patterns.find(({ pattern }) => pattern.test(name))?.listener;
  }
}

/**
 * Routes every Slack request by a lookup of its action id, callback id, command or event type, in one middleware.
 * Bolt runs the middleware chain of every registered listener for each request (each step copying the arguments), so
 * registering each button on the app made every request pay for all of them.
 */
export class SlackRouter {
  private readonly tables: Record<Kind, Table> = {
    action: new Table('action'),
    view: new Table('view'),
    command: new Table('command'),
    event: new Table('event'),
  };

  /**
   * What the handler files register with, in Bolt's own signatures (so listeners keep Bolt's argument types); only a
   * name or pattern and one listener are accepted.
   */
  // The cast: each method takes Bolt's overloads, but only the (name or pattern, listener) form is implemented.
  readonly listeners = {
    action: (name: unknown, ...listeners: unknown[]) => this.tables.action.add(name, listeners),
    view: (name: unknown, ...listeners: unknown[]) => this.tables.view.add(name, listeners),
    command: (name: unknown, ...listeners: unknown[]) => this.tables.command.add(name, listeners),
    event: (name: unknown, ...listeners: unknown[]) => this.tables.event.add(name, listeners),
  } as unknown as Listeners;

  /**
   * Installs the dispatch as the last global middleware. A request whose name no one registered goes on to Bolt's own
   * listeners (there are none today), so it is left unacknowledged as Bolt leaves it.
   */
  install(app: App): void {
    for (const table of Object.values(this.tables)) table.checkOverlaps();
    app.use(async (args) => {
      const listener = this.listenerFor(args);
      if (listener) await listener(args);
      else await args.next();
    });
  }

  /** The listener for a request, matched as Bolt matches `app.action(name)`, `app.view(name)`, and so on. */
  private listenerFor(args: AnyMiddlewareArgs): Listener | undefined {
    const { action, view, command, event } = this.tables;
    // Only actions with an `action_id` (block actions) are matched, and only submissions of views.
    if ('action' in args && args.action) return action.find((args.action as { action_id?: unknown }).action_id);
    if ('view' in args && args.view)
      return args.body.type === 'view_submission' ? view.find(args.view.callback_id) : undefined;
    if ('command' in args && args.command) return command.find(args.command.command);
    if ('event' in args && args.event) return event.find(args.event.type);
    return undefined;
  }
}
