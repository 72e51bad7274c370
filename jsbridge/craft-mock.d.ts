// craft-mock.d.ts: the test-side API of craft-mock.js (window.craft under Node, native mocked).
// `import mock = require('craft_tk/jsbridge/craft-mock.js')`; `mock.craft` is typed by craft.d.ts.

import type { Craft, FaultMessage, PageToNative } from './craft';

declare namespace craftMock {
  interface Options {
    /** craft.label (default 'panel-1'). */
    label?: string | null;
    /** Native's state when the page loads. */
    state?: Record<string, unknown>;
    /** The panel's invoke_timeout, in ms (default none). */
    invokeTimeout?: number | null;
    /** Errors of mocked handlers reach the page with remoteStack. */
    debug?: boolean;
    /** The labels craft.broadcast resolves to (default []). */
    peers?: string[];
    /** craft.js's text (jsbridge.bridge_source()), instead of reading it next to craft-mock.js. */
    source?: string;
  }

  /** `this` in a mockInvoke function (use a function, not an arrow, to read it). */
  interface InvokeContext {
    readonly name: string;
    /** Aborted when the page gives up (abort signal, timeout). */
    readonly signal: AbortSignal;
    /** What current_invocation().progress() does: the page's onProgress gets it. */
    progress(done: number, total?: number | null, detail?: unknown): void;
  }

  interface ChannelOptions {
    /** The window native announces (default 32 messages). */
    window?: number;
    /** Acknowledge only what receive() or an iterator takes (default: all on arrival). */
    manual?: boolean;
  }

  /** Native's end of a channel. */
  interface NativeChannel extends AsyncIterable<any> {
    readonly name: string;
    readonly closed: boolean;
    readonly closeReason: string | null;
    /** Resolves once within the page's window; throws ChannelClosed when closed. */
    send(data: unknown | Uint8Array | ArrayBuffer): Promise<void>;
    close(reason?: string): void;
    /** Everything the page sent on it, in order. */
    messages(): any[];
    /** The next message receive() has not taken; rejects with ChannelClosed once closed. */
    receive(): Promise<any>;
    on(event: 'message', fn: (data: any) => unknown): () => void;
    on(event: 'close', fn: (reason: string | null) => unknown): () => void;
    off(event: 'message' | 'close', fn: (...args: any[]) => unknown): void;
  }

  interface NativeInvoke<T = any> extends Promise<T> {
    /** Native gives up: the handler's this.signal aborts, the promise rejects (CancelledError). */
    cancel(): void;
  }

  interface CraftMock {
    /** The page's window.craft: the real craft.js behind it, the same object across reset(). */
    readonly craft: Craft;
    /** Define `craft` on target (default: window if there is one, else the global object). */
    install(target?: object): Craft;
    /** Answer craft.invoke(name, ...args): fn's value, or its throw / rejection as the error. */
    mockInvoke(name: string, fn: (this: InvokeContext, ...args: any[]) => unknown): () => void;
    /** Native's emit: the page's craft.on listeners get (data, meta). */
    emitFromNative(name: string, data?: unknown, meta?: { from?: string }): void;
    /** Native's invoke of the page's craft.handle(name, fn). */
    invokeFromNative<T = any>(name: string, ...args: unknown[]): NativeInvoke<T>;
    /** Native's state becomes `initial` (the page's snapshot if it has not loaded yet). */
    mockState(initial: Record<string, unknown>): void;
    /** A copy of native's state, or of the value at a key or dotted path. */
    getState(path?: string | string[]): any;
    /** Native writes at a key or dotted path; the page's watchers fire. */
    setState(path: string | string[], value: unknown): void;
    deleteState(path: string | string[]): void;
    /** Native's create_channel(name). */
    openChannelFromNative(name: string, options?: ChannelOptions): NativeChannel;
    /** Native's on_channel(name, fn): fn(end) when the page connects to `name`. */
    mockChannel(name: string, fn: (channel: NativeChannel) => unknown, options?: ChannelOptions): () => void;
    /** The native end of open channel `name`, or null. */
    channel(name: string): NativeChannel | null;
    /** Native's on(name, fn) for the page's craft.send. */
    onEvent(name: string, fn: (data: any) => unknown): () => void;
    /** Every message the page sent after its hello, as on the wire. */
    sent(): PageToNative[];
    /** The page's craft.send events, in order. */
    events(): Array<{ name: string; data: any }>;
    /** The page's invokes, built-ins ('craft:send-to', 'craft:dialogs', ...) included. */
    invokes(): Array<{ name: string; args: any[] }>;
    /** Page listeners, watchers and onProgress callbacks that threw. */
    faults(): FaultMessage[];
    /** An Error as a native exception reaches the page: {name, message, code}. */
    error(name: string, message: string, code?: string | number): Error & { code?: string | number };
    /** Resolves once what the page and the mock queued has crossed. */
    flush(): Promise<void>;
    /** A new page load before a new native; options default to the last ones. */
    reset(options?: Options): void;
    /** Another, independent mock. */
    create(options?: Options): CraftMock;
    /** craft.js as the mock runs it. */
    bridgeSource(): string;
  }
}

declare const craftMock: craftMock.CraftMock;
export = craftMock;
