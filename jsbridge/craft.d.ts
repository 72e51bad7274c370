// craft.d.ts: the page side of craft_tk, typed. Mirrors craft_tk/_protocol.py.

// ---- The wire protocol ------------------------------------------------------------------
// A wire string is a JSON array of messages; everything queued in one tick is one string.

/** The page announces itself after each load; `page` is new every time. */
export interface HelloMessage { kind: 'hello'; page: string }
/** Native accepted the page: queued messages flow, `craft.ready` resolves. */
export interface WelcomeMessage { kind: 'welcome' }
/** A named event, either direction. */
export interface EventMessage { kind: 'event'; name: string; data: unknown }
/** A page-side failure (a listener threw), reported to native's on_ipc_error. */
export interface FaultMessage { kind: 'fault'; message: string; name: string | null; stack: string | null }

export type PageToNative = HelloMessage | EventMessage | FaultMessage;
export type NativeToPage = WelcomeMessage | EventMessage;
export type Batch<M> = M[];

// ---- The API the page uses ----------------------------------------------------------------

export type Unsubscribe = () => void;

export interface Craft {
  /** Send event `name` with JSON `data` to native. */
  send(name: string, data?: unknown): void;
  /** Call `fn(data)` for each native event `name`. */
  on(name: string, fn: (data: any) => unknown): Unsubscribe;
  /** Like `on`, for the next event only. */
  once(name: string, fn: (data: any) => unknown): Unsubscribe;
  /** Remove `fn`, or every listener of `name`. */
  off(name: string, fn?: (data: any) => unknown): void;
  /** Resolves when native has accepted this page. */
  readonly ready: Promise<Craft>;
}

declare global {
  interface Window {
    craft: Craft;
  }
  const craft: Craft;
}
