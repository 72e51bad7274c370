// craft.d.ts: the page side of craft_tk, typed. Mirrors craft_tk/_protocol.py.

// ---- The wire protocol ------------------------------------------------------------------
// A wire string is a JSON array of messages; everything queued in one tick is one string.
// From the page, its first element is the page load's secret: [secret, ...PageToNative].

/** The page announces itself after each load; `page` is new every time. */
export interface HelloMessage { kind: 'hello'; page: string }
/** Native accepted the page: queued messages flow, `craft.ready` resolves. */
export interface WelcomeMessage {
  kind: 'welcome'; invokeTimeout: number | null; state: Record<string, unknown>; stateVersion: number;
}
/** A named event, either direction. */
export interface EventMessage { kind: 'event'; name: string; data: unknown }
/** A page-side failure (a listener threw), reported to native's on_ipc_error. */
export interface FaultMessage { kind: 'fault'; message: string; name: string | null; stack: string | null }

/** A call of handler `name`; `id` is counted by the caller. */
export interface InvokeMessage { kind: 'invoke'; id: number; name: string; args: unknown[] }
/** The value invoke `id` resolved to. */
export interface ResultMessage { kind: 'result'; id: number; value: unknown }
/** What invoke `id` rejected with. */
export interface ErrorMessage {
  kind: 'error'; id: number;
  error: { name: string | null; message: string; code?: string | number | null; stack?: string | null };
}
/** The caller of invoke `id` gave up (abort, timeout, future.cancel()). */
export interface CancelMessage { kind: 'cancel'; id: number }
/** How far native's handler of the page's invoke `id` is (coalesced; the last before the answer). */
export interface ProgressMessage { kind: 'progress'; id: number; done: number; total: number | null; detail: unknown }

/** Channel `name` exists on the sender's side; it takes `window` unconsumed messages. */
export interface ChannelOpenMessage { kind: 'chan-open'; name: string; window: number }
/**
 * Channel data: JSON `data`, or `bin`, the base64 of bytes (a Uint8Array in the page). From
 * native, a string or bytes instead give `raw` / `rawBin`, the length of the payload that
 * follows the JSON in a wire string starting with "~" (see craft_tk/_protocol.py).
 */
export interface ChannelDataMessage {
  kind: 'chan-data'; name: string; data?: unknown; bin?: string; raw?: number; rawBin?: number;
}
/** The receiver consumed `count` more messages: the sender may send that many more. */
export interface ChannelAckMessage { kind: 'chan-ack'; name: string; count: number }
export interface ChannelCloseMessage { kind: 'chan-close'; name: string; reason: string | null }
export type ChannelMessage = ChannelOpenMessage | ChannelDataMessage | ChannelAckMessage | ChannelCloseMessage;

/** A state op: [path, value] sets, [path] deletes. Paths hold object keys only. */
export type StateOp = [string[], unknown] | [string[]];
/**
 * State changes, in order. From native: `version` (pages drop older), or `settle`: the
 * answer to one of the page's state messages (the paths it wrote; `ops` holds native's
 * values where they differ from the page's).
 */
export interface StateMessage { kind: 'state'; ops: StateOp[]; version?: number; settle?: string[][] }

export type PageToNative = HelloMessage | EventMessage | FaultMessage
  | InvokeMessage | ResultMessage | ErrorMessage | CancelMessage | StateMessage | ChannelMessage;
export type NativeToPage = WelcomeMessage | EventMessage
  | InvokeMessage | ResultMessage | ErrorMessage | CancelMessage | ProgressMessage | StateMessage | ChannelMessage;
export type Batch<M> = M[];

// ---- The API the page uses ----------------------------------------------------------------

export type Unsubscribe = () => void;

/** Options for craft.send: coalesce a busy event to its latest value. */
export interface SendOptions { throttle?: number; debounce?: number }

/** How far a native handler is (current_invocation().progress(done, total, detail)). */
export interface Progress { done: number; total: number | null; detail: unknown; percent: number | null }

/** Options for craft.invoke, marked by craft.options() so they are not an argument. */
export interface InvokeOptions { signal?: AbortSignal; timeout?: number; onProgress?: (progress: Progress) => void }
export interface MarkedInvokeOptions extends InvokeOptions { readonly __craftOptions: true }

/** How a rejected invoke looks: the native exception's message, class name and code. */
export interface InvokeError extends Error { code?: string | number; remoteStack?: string }

/** `this` inside a craft.handle() handler (use a function, not an arrow, to read it). */
export interface HandlerContext { signal: AbortSignal; name: string }

/** The page's end of a channel. */
export interface Channel extends AsyncIterable<any> {
  readonly name: string;
  readonly closed: boolean;
  readonly closeReason: string | null;
  /** JSON data or bytes; resolves once on its way within native's window. Throws ChannelClosed / ChannelFull. */
  send(data: unknown | Uint8Array | ArrayBuffer): Promise<void>;
  drain(): Promise<void>;
  close(reason?: string): void;
  on(event: 'message', fn: (data: any) => unknown): Unsubscribe;
  on(event: 'close', fn: (reason: string | null) => unknown): Unsubscribe;
  off(event: 'message' | 'close', fn: (...args: any[]) => unknown): void;
  messages(): AsyncIterator<any>;
}

// ---- Typing an app's names ------------------------------------------------------------------
// `python -m craft_tk types app:IpcEvents app:IpcHandlers -o app.d.ts` writes a file that
// augments the global `CraftContract` with `{events: IpcEvents; handlers: IpcHandlers}`;
// from then on craft.send/on/once/off and craft.invoke accept only those names, with
// their payload, argument and result types. Without it every name and value is allowed.

type AnyEvents = { [name: string]: any };
type AnyHandlers = { [name: string]: (...args: any[]) => any };
export type ContractEvents = CraftContract extends { events: infer E } ? E : AnyEvents;
export type ContractHandlers = CraftContract extends { handlers: infer H } ? H : AnyHandlers;
export type EventName = keyof ContractEvents & string;
export type HandlerName = keyof ContractHandlers & string;
export type HandlerArgs<F> = F extends (...args: infer A) => any ? A : any[];
export type HandlerResult<F> = F extends (...args: any[]) => infer R ? (R extends PromiseLike<infer T> ? T : R) : any;

/** An item of craft.contextMenu: a choice (`radio: true` draws a radio mark, set when `checked`), a submenu, or '-' (a separator). */
export type ContextMenuItem = '-' | { id: string; label: string; enabled?: boolean; checked?: boolean; radio?: boolean }
  | { label: string; items: ContextMenuItem[]; enabled?: boolean };

/** A file dropped from the desktop: `path` is there when the page is the app's own content. */
export interface DroppedFile extends File { readonly path?: string }

/** Who sent an event: `from` is the label of the page that sent it through native. */
export interface EventMeta { readonly from: string }

// ---- Native services (WebPanel(..., services=[...]); see craft_tk/_services.py) -------------
// A service the panel did not enable rejects with a NotAllowed error saying how to enable it.

/** A file type choice of a file dialog: `extensions` without dots ('txt'; '*' for any). */
export interface FileFilter { name: string; extensions: string[] }

/** craft.dialogs: Tk's dialogs, modal to the panel's window (service 'dialogs'). */
export interface CraftDialogs {
  openFile(options?: { title?: string; filters?: FileFilter[]; multiple?: false; directory?: string }): Promise<string | null>;
  openFile(options: { title?: string; filters?: FileFilter[]; multiple: true; directory?: string }): Promise<string[] | null>;
  saveFile(options?: { title?: string; defaultName?: string; filters?: FileFilter[]; directory?: string }): Promise<string | null>;
  chooseDirectory(options?: { title?: string; directory?: string }): Promise<string | null>;
  /** Resolves (to null) once the user dismissed it. */
  message(options: { title?: string; message: string; kind?: 'info' | 'warning' | 'error' }): Promise<null>;
  /** OK: true, Cancel (or Escape): false. */
  confirm(options: { title?: string; message: string; kind?: 'info' | 'warning' | 'error' }): Promise<boolean>;
}

/** craft.clipboard: Tk's clipboard, text only (service 'clipboard'). */
export interface CraftClipboard {
  /** The clipboard's text; '' when it is empty or holds no text. */
  readText(): Promise<string>;
  writeText(text: string): Promise<null>;
}

/** What a close handler gets: preventDefault() (or returning false) keeps the window open. */
export interface CloseRequestEvent { readonly defaultPrevented: boolean; preventDefault(): void }

/** craft.window: the panel's window (service 'window'). */
export interface CraftWindowControls {
  setTitle(title: string): Promise<null>;
  getTitle(): Promise<string>;
  setSize(width: number, height: number): Promise<null>;
  getSize(): Promise<{ width: number; height: number }>;
  setPosition(x: number, y: number): Promise<null>;
  getPosition(): Promise<{ x: number; y: number }>;
  minimize(): Promise<null>;
  maximize(): Promise<null>;
  restore(): Promise<null>;
  setFullscreen(on?: boolean): Promise<null>;
  /** Close it as the user's close would, without asking the page's close handlers. */
  close(): Promise<null>;
  focus(): Promise<null>;
  on(event: 'resize', fn: (size: { width: number; height: number }) => unknown): Unsubscribe;
  on(event: 'move', fn: (position: { x: number; y: number }) => unknown): Unsubscribe;
  on(event: 'focus' | 'blur', fn: () => unknown): Unsubscribe;
  /** Asked when the user closes the window; false (or a Promise of false) keeps it open. */
  onCloseRequested(fn: (event: CloseRequestEvent) => boolean | void | Promise<boolean | void>): Unsubscribe;
}

export interface Craft {
  /** Send event `name` with JSON `data` to native; {throttle: ms} or {debounce: ms} coalesce it. */
  send<K extends EventName>(name: K, data?: ContractEvents[K], options?: SendOptions): void;
  /** Call `fn(data, meta)` for each native event `name`; `meta.from` is the sending page's
   * label for a message another page sent (craft.sendTo / craft.broadcast). */
  on<K extends EventName>(name: K, fn: (data: ContractEvents[K], meta?: EventMeta) => unknown): Unsubscribe;
  /** Like `on`, for the next event only. */
  once<K extends EventName>(name: K, fn: (data: ContractEvents[K], meta?: EventMeta) => unknown): Unsubscribe;
  /** Remove `fn`, or every listener of `name`. */
  off<K extends EventName>(name: K, fn?: (data: ContractEvents[K]) => unknown): void;
  /** Call native handler `name`; a last craft.options({signal, timeout, onProgress}) argument cancels,
   * bounds it, or follows its progress. */
  invoke<K extends HandlerName>(name: K, ...args: HandlerArgs<ContractHandlers[K]>
    | [...HandlerArgs<ContractHandlers[K]>, MarkedInvokeOptions]): Promise<HandlerResult<ContractHandlers[K]>>;
  /** Mark invoke options. */
  options(options: InvokeOptions): MarkedInvokeOptions;
  /** Answer native's window.invoke(name, ...args); returns a remover. */
  handle(name: string, fn: (this: HandlerContext, ...args: any[]) => unknown): Unsubscribe;
  /** The page's end of channel `name` (native's is create_channel / on_channel). */
  connectChannel(name: string, options?: { window?: number; buffer?: number }): Channel;
  /** The shared state: reads are live; writes (nested, delete, push/splice) sync to native. */
  readonly state: Record<string, any>;
  /** Watch a key or dotted path; fires once per change, also for changes below or above it. */
  watchState(path: string, fn: (newValue: any, oldValue: any) => unknown): Unsubscribe;
  /** Open a native menu at the pointer; resolves to the id of the item chosen, or null. */
  contextMenu(items: ContextMenuItem[]): Promise<string | null>;
  /** Send event `name` to the page of the panel labelled `label`, through native. */
  sendTo(label: string, name: string, data?: unknown): Promise<null>;
  /** Send event `name` to the pages of every other panel; resolves to their labels. */
  broadcast(name: string, data?: unknown): Promise<string[]>;
  /** This panel's label in the app. */
  readonly label: string | null;
  /** Tk's dialogs (service 'dialogs'). */
  readonly dialogs: CraftDialogs;
  /** Tk's clipboard, text (service 'clipboard'). */
  readonly clipboard: CraftClipboard;
  /** The panel's window (service 'window'). */
  readonly window: CraftWindowControls;
  /** The shared state's `theme` ('light' | 'dark' from the 'theme' service, which also sets the
   *  class craft-theme-<theme> on the root element), or null. */
  readonly theme: string | null;
  /** Resolves when native has accepted this page. */
  readonly ready: Promise<Craft>;
  /** A function that runs `fn` at most once per `ms`, always with the latest arguments last. */
  throttle<A extends unknown[]>(fn: (...args: A) => unknown, ms: number): (...args: A) => void;
  /** A function that runs `fn` once calls have paused for `ms`, with the latest arguments. */
  debounce<A extends unknown[]>(fn: (...args: A) => unknown, ms: number): (...args: A) => void;
}

declare global {
  /** Augmented by generated declarations (python -m craft_tk types) with {events, handlers}. */
  interface CraftContract {}
  interface Window {
    craft: Craft;
  }
  const craft: Craft;
}
