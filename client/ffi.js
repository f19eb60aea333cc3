/*
 * The JavaScript half of toolbar/adapters/ffi.py: the few things Python cannot do the same way on
 * both interpreters. No toolbar logic lives here.
 *
 * - MicroPython 1.27 cannot catch an exception thrown by a JavaScript function it calls:
 *   the exception unwinds through the interpreter and aborts the whole program.
 * - Pyodide 314 turns every promise a JavaScript call returns into a Python future, and
 *   crashes ("invalid exception object", uncatchable) when one is rejected with
 *   `undefined`, as Twilio's Device.register() is when signaling closes.
 *
 * So every call that may throw or reject goes through `call` or `construct`, whose promise
 * always fulfils, with {ok: true, value} or {ok: false, error: {name, message, code}};
 * `invoke` and `constructNow` return that outcome at once, for methods that return no
 * promise; `invokeEach` makes several such calls in one crossing (every crossing costs, see
 * bench/README.md) and `read` a chain of getters; `fire` starts a call whose outcome nobody
 * awaits; `get`, `hasMethod` and `methods` read properties without throwing.
 */
(() => {
  "use strict";

  function describe(error) {
    if (error !== null && typeof error === "object") {
      return {
        name: String(error.name ?? "Error"),
        message: String(error.message ?? error),
        code: typeof error.code === "number" ? error.code : null,
      };
    }
    return { name: "Error", message: String(error), code: null };
  }

  function timeoutAfter(ms, message) {
    let timer;
    const promise = new Promise((_, reject) => {
      timer = setTimeout(() => {
        const error = new Error(message || `no answer within ${ms} ms`);
        error.name = "TimeoutError";
        reject(error);
      }, ms);
    });
    return { promise, cancel: () => clearTimeout(timer) };
  }

  async function settle(start, timeoutMs, timeoutMessage) {
    const timeout = timeoutMs > 0 ? timeoutAfter(timeoutMs, timeoutMessage) : null;
    try {
      const work = Promise.resolve(start());
      const value = await (timeout ? Promise.race([work, timeout.promise]) : work);
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: describe(error) };
    } finally {
      timeout?.cancel();
    }
  }

  const scripts = new Map(); // url → the outcome of loading it (loadScript)

  function method(target, name) {
    const fn = target?.[name];
    if (typeof fn !== "function") throw new TypeError(`${name} is not a function`);
    return fn;
  }

  window.toolbarFfi = Object.freeze({
    /** Await target[name](...args), at most timeoutMs (0: no limit); never rejects. */
    call(target, name, args = [], timeoutMs = 0, timeoutMessage = "") {
      return settle(() => method(target, name).apply(target, args), timeoutMs, timeoutMessage);
    },

    /** new target[name](...args), as an outcome; never rejects. The class is named, not
     *  passed: MicroPython hands a JS class back to JS as a wrapper that cannot construct. */
    construct(target, name, args = []) {
      return settle(() => Reflect.construct(method(target, name), args), 0, "");
    },

    /** target[name](...args) now, as an outcome (never throws): for methods that answer at
     *  once, which Python then need not await. */
    invoke(target, name, args = []) {
      try {
        return { ok: true, value: method(target, name).apply(target, args) };
      } catch (error) {
        return { ok: false, error: describe(error) };
      }
    },

    /** target[name](...args) for each [name, args] of the JSON text `calls`, in order, as
     *  one outcome (the first failure stops the rest). */
    invokeEach(target, calls) {
      try {
        for (const [name, args] of JSON.parse(calls)) method(target, name).apply(target, args);
        return { ok: true, value: undefined };
      } catch (error) {
        return { ok: false, error: describe(error) };
      }
    },

    /** new target[name](...args) now, as an outcome (never throws). */
    constructNow(target, name, args = []) {
      try {
        return { ok: true, value: Reflect.construct(method(target, name), args) };
      } catch (error) {
        return { ok: false, error: describe(error) };
      }
    },

    /** Start target[name](...args) and ignore its outcome (events report it). */
    fire(target, name, args = []) {
      settle(() => method(target, name).apply(target, args), 0, "");
    },

    /** target[name], or undefined if reading it fails. */
    get(target, name) {
      try {
        return target?.[name];
      } catch {
        return undefined;
      }
    },

    /** Whether target[name] is a function. */
    hasMethod(target, name) {
      try {
        return typeof target?.[name] === "function";
      } catch {
        return false;
      }
    },

    /** target.a().b()… for the JSON list of getter names [a, b, …], as an outcome whose
     *  value is undefined where a getter is missing (one crossing for a chain). */
    read(target, names) {
      try {
        let value = target;
        for (const name of JSON.parse(names)) {
          if (typeof value?.[name] !== "function") return { ok: true, value: undefined };
          value = value[name]();
        }
        return { ok: true, value };
      } catch (error) {
        return { ok: false, error: describe(error) };
      }
    },

    /** Which of the JSON list `names` are methods of target, as JSON text. */
    methods(target, names) {
      return JSON.stringify(JSON.parse(names).filter((name) => {
        try {
          return typeof target?.[name] === "function";
        } catch {
          return false;
        }
      }));
    },

    /** Load a classic script; fulfils with an outcome once it ran, failed or timed out.
     *  Loaded once per URL: a later call gets the first call's outcome (boot.js starts
     *  the UEF library early, toolbar/adapters/fusion_handler.py then awaits the same load). */
    loadScript(url, timeoutMs) {
      if (!scripts.has(url)) {
        scripts.set(url, settle(() => new Promise((resolve, reject) => {
          const script = document.createElement("script");
          script.src = url;
          script.onload = () => resolve(true);
          script.onerror = () => reject(new Error(`could not load ${url}`));
          document.head.append(script);
        }), timeoutMs, `${url} did not load within ${timeoutMs} ms`));
      }
      return scripts.get(url);
    },
  });
})();
