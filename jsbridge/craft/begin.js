/*
 * craft.js: the page side of craft_tk's IPC. It defines window.craft.
 *
 * It is served as one script: jsbridge/craft/begin.js, wire.js, listeners.js, invoke.js,
 * state.js, channels.js, api.js and end.js joined in that order (jsbridge.bridge_source(),
 * no build step), all inside the one closure that begin.js opens and end.js closes. The
 * modules mirror the Python core; functions are shared across them by name.
 *
 * Mirrors craft_tk/_protocol.py: a wire string is a JSON array of messages, each with
 * a `kind`. The native side delivers batches through window.__craftReceive(wire); the
 * page posts batches through the host function the backend puts in the page
 * (window.__craftHostPost), captured here before any page script runs. Until the native
 * side answers `hello` with `welcome`, outgoing messages wait in a queue: calls made
 * before the bridge connects are not lost.
 *
 * The built-ins the bridge relies on are captured before any page script can replace
 * them (on Tkhtml, where pages share one JavaScript global, once for the process by
 * tkhtml-world.js), and the secret of this page load lives only in this closure.
 *
 * ES2017 at most: it must parse in Chromium 66 and SpiderMonkey.
 */
(function (root, boot, worldPristine, hostFlushing) {
  'use strict';
  // Where the bridge was inlined as a <script>, take it out of the DOM at once: its text
  // holds this load's secret, and the page's own scripts have not run yet.
  var doc = root.document;
  var bridgeScript = doc && doc.currentScript;
  if (bridgeScript && bridgeScript.parentNode) { bridgeScript.parentNode.removeChild(bridgeScript); }
  if (root.craft && root.craft.__bridge === true) {
    return; // injected twice (inline and by the backend): keep the first
  }
